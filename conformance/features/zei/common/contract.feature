# language: ja
@zei @provider @receiver
機能: 個人住民税 (zei) の SOAP・共通ヘッダ・WS-Security
  document/literal の SOAP 1.1 と 1.2 を受け付け同じ版で応答する（api_specs/wsdl/zei.wsdl ZeiSoap11,
  ZeiSoap12）。共通ヘッダの欠落と団体コードの検査数字の誤り、UsernameToken の欠落・誤り・再使用は
  結果コード付きの SOAP Fault で拒否する。

  @ZEI-SOAP-001
  シナリオ: SOAP 1.1 の要求に SOAP 1.1 で正常に応答する
    前提 役割の標準的な要求
    もし 要求を送信する
    ならば 正常に応答する
    かつ 応答は SOAP 1.1 の封筒で Content-Type は "text/xml"

  @ZEI-SOAP-001
  シナリオ: SOAP 1.2 の要求に SOAP 1.2 で正常に応答する
    前提 役割の標準的な要求
    かつ SOAP 1.2 で送る
    もし 要求を送信する
    ならば 正常に応答する
    かつ 応答は SOAP 1.2 の封筒で Content-Type は "application/soap+xml"

  @ZEI-HDR-001
  シナリオアウトライン: 必須項目 <field> のない要求は 1003 で拒否される
    前提 役割の標準的な要求
    かつ 共通ヘッダの "<field>" を欠落させる
    もし 要求を送信する
    ならば 結果コード "1003" の Fault が返る

    例:
      | field          |
      | messageId      |
      | lgCode         |
      | service        |
      | operation      |

  @ZEI-HDR-002
  シナリオ: 検査数字の誤った団体コードは 1005 で拒否される
    前提 役割の標準的な要求
    かつ 共通ヘッダの団体コードの検査数字を誤らせる
    もし 要求を送信する
    ならば 結果コード "1005" の Fault が返る

  @ZEI-XSD-003
  シナリオ: zei.xsd に違反する本文は 1002 で拒否される
    前提 役割の標準的な要求
    かつ 本文を zei.xsd に違反させる
    もし 要求を送信する
    ならば 結果コード "1002" の Fault が返る
    かつ Fault の detail は common.xsd の ResultFault に適合する

  @ZEI-SEC-001
  シナリオ: UsernameToken のない要求は 2001 で拒否される
    前提 役割の標準的な要求
    かつ UsernameToken を付けない
    もし 要求を送信する
    ならば 結果コード "2001" の Fault が返る

  @ZEI-SEC-001
  シナリオ: パスワードダイジェストの誤った要求は 2002 で拒否される
    前提 役割の標準的な要求
    かつ 誤ったパスワードでダイジェストを作る
    もし 要求を送信する
    ならば 結果コード "2002" の Fault が返る

  @ZEI-SEC-001
  シナリオ: 同じトークンを付けた電文の再送（リプレイ）は 2003 で拒否される
    前提 役割の標準的な要求
    もし 要求を送信する
    かつ 同じ電文をそのまま再送する
    ならば 結果コード "2003" の Fault が返る

  @ZEI-WSDL-001
  シナリオ: ?wsdl で個人住民税の WSDL を公開している
    もし WSDL を取得する
    ならば WSDL は ZeiPortType に役割の操作を定義している
