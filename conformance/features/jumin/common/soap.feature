# language: ja
@jumin @provider @receiver
機能: SOAP 1.1 / 1.2 と SOAP Fault
  document/literal の SOAP 1.1 と SOAP 1.2 の両方を受け付け、要求と同じ版で応答する（api_specs/wsdl/jumin.wsdl
  JuminSoap11, JuminSoap12）。誤りは HTTP 500 の SOAP Fault で、detail に c:ResultFault を入れる。

  @JUMIN-SOAP-001
  シナリオ: SOAP 1.1 の要求に SOAP 1.1 で正常に応答する
    前提 役割の標準的な要求
    もし 要求を送信する
    ならば 正常に応答する
    かつ 応答は SOAP 1.1 の封筒で Content-Type は "text/xml"

  @JUMIN-SOAP-002
  シナリオ: SOAP 1.2 の要求に SOAP 1.2 で正常に応答する
    前提 役割の標準的な要求
    かつ SOAP 1.2 で送る
    もし 要求を送信する
    ならば 正常に応答する
    かつ 応答は SOAP 1.2 の封筒で Content-Type は "application/soap+xml"

  @JUMIN-FLT-001
  シナリオ: SOAP 1.1 の Fault は HTTP 500、faultcode Client、detail に ResultFault
    前提 役割の標準的な要求
    かつ 本文をスキーマ違反にする
    もし 要求を送信する
    ならば HTTP ステータスは 500
    かつ 応答は SOAP 1.1 の封筒で Content-Type は "text/xml"
    かつ faultcode は SOAP 1.1 名前空間の "Client" で faultstring がある
    かつ Fault の detail は common.xsd の ResultFault に適合する

  @JUMIN-FLT-002
  シナリオ: SOAP 1.2 の Fault は Code が Sender で detail に ResultFault
    前提 役割の標準的な要求
    かつ SOAP 1.2 で送る
    かつ 本文をスキーマ違反にする
    もし 要求を送信する
    ならば HTTP ステータスは 400 または 500
    かつ 応答は SOAP 1.2 の封筒で Content-Type は "application/soap+xml"
    かつ faultcode は SOAP 1.2 名前空間の "Sender" で faultstring がある
    かつ Fault の detail は common.xsd の ResultFault に適合する

  @JUMIN-XSD-004
  シナリオ: スキーマに違反する本文は 1002 で拒否される
    前提 役割の標準的な要求
    かつ 本文をスキーマ違反にする
    もし 要求を送信する
    ならば 結果コード "1002" の Fault が返る

  @JUMIN-RC-002
  シナリオ: 使う結果コードはすべて結果コード表にあり faultcode も表のとおり
    もし 役割の代表的な状況の要求を順に送る
    ならば どの応答の結果コードも結果コード表にある
    かつ どの Fault の faultcode も結果コード表の区分と一致する

  @JUMIN-WSDL-001
  シナリオ: ?wsdl で契約の WSDL を公開している
    もし WSDL を取得する
    ならば WSDL は JuminPortType に役割の操作を定義している
