# language: ja
@jumin @provider
機能: 異動一覧照会のページングと順序
  異動一覧照会は受付順に並び、nextCursor と hasMore でたどると欠落も重複もなく全件が得られる
  （api_specs/xsd/jumin.xsd IdoIchiranShokaiResponse、api_specs/openapi/jumin.yaml GET /jumin/ido）。

  @JUMIN-PAGE-001
  シナリオ: SOAP の異動一覧を2件ずつたどると欠落も重複もない
    もし 異動一覧照会を 2 件ずつ最後のページまでたどる
    ならば たどった異動は一度に取得した異動と同じ集合で欠落も重複もない
    かつ どのページも要求した件数以下で最後のページだけ hasMore が false

  @JUMIN-PAGE-001
  シナリオ: REST の異動一覧を2件ずつたどると欠落も重複もない
    もし REST の異動一覧を 2 件ずつ最後のページまでたどる
    ならば たどった異動は一度に取得した異動と同じ集合で欠落も重複もない
    かつ どのページも要求した件数以下で最後のページだけ hasMore が false

  @JUMIN-PAGE-002
  シナリオ: 最後のページの nextCursor で照会すると空のページが返る
    もし 異動一覧照会を 2 件ずつ最後のページまでたどる
    かつ 最後のページの nextCursor で異動一覧照会を送る
    ならば 正常に応答する
    かつ 異動は0件で hasMore は false

  @JUMIN-PAGE-003
  シナリオ: 発行していない cursor は 1012 で拒否される
    もし 発行されていない cursor で異動一覧照会を送る
    ならば 結果コード "1012" の Fault が返る

  @JUMIN-ORD-002
  シナリオ: 同じ住民の異動は受け付けた順に並ぶ
    もし 異動一覧照会を送る
    ならば 異動一覧は受付日時の順に並ぶ
    かつ 同じ住民について送った異動は送った順に並ぶ
