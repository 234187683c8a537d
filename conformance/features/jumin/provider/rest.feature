# language: ja
@jumin @provider
機能: REST の双子 API (/api/v1/jumin)
  SOAP と同じ照会を REST で提供し、誤りは application/problem+json で結果コード `code` を返す
  （api_specs/openapi/jumin.yaml）。要求には X-API-Key が必要。

  @JUMIN-REST-001
  シナリオ: REST の住民基本情報照会は契約の JSON を返し SOAP と同じ住民を示す
    もし REST で既知の宛名番号の住民を取得する
    ならば HTTP 200 で応答は OpenAPI の定義に適合する
    かつ REST の住民は SOAP の住民基本情報照会の住民と同じ

  @JUMIN-REST-002
  シナリオ: REST の世帯照会は契約の JSON を返す
    もし REST で既知の世帯番号の世帯を取得する
    ならば HTTP 200 で応答は OpenAPI の定義に適合する

  @JUMIN-REST-003
  シナリオ: REST で存在しない住民は 404 の problem+json で code 3001
    もし REST で存在しない宛名番号の住民を取得する
    ならば HTTP 404 の problem+json で code は "3001"

  @JUMIN-REST-004
  シナリオ: REST で API キーのない要求は 401 の problem+json で code 2001
    もし REST で API キーを付けずに既知の宛名番号の住民を取得する
    ならば HTTP 401 の problem+json で code は "2001"
