from vocab.imi import CANONICAL_CONTEXT_URL, build_context, load_context, load_vocabulary

NS = "http://imi.go.jp/ns/core/rdf#"


def test_shipped_context_equals_the_generated_one() -> None:
    assert load_context() == build_context()


def test_context_maps_every_term_to_the_rdf_namespace() -> None:
    terms = load_context()["@context"]
    assert terms["@vocab"] == NS
    vocabulary = load_vocabulary()
    for name in vocabulary.class_names:
        assert terms[name] == NS + name
    for prop in vocabulary.property_names:
        assert terms[prop]["@id"] == NS + prop


def test_typed_literals_carry_xsd_types() -> None:
    terms = load_context()["@context"]
    assert terms["標準型日付"]["@type"] == "http://www.w3.org/2001/XMLSchema#date"
    assert terms["標準型日時"]["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
    assert "@type" not in terms["表記"]


def test_canonical_url() -> None:
    assert CANONICAL_CONTEXT_URL == "https://imi.go.jp/ns/core/context.jsonld"
