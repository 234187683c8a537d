"""ごみ (garbage collection) vocabulary: the 5374.jp data model, its day grammar and the town's own
collection calendar and sorting dictionary."""
