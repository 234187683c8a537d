# language: ja
@jumin @provider @receiver
機能: WS-Security UsernameToken (PasswordDigest)
  すべての要求に UsernameToken が必要。PasswordDigest = Base64(SHA1(nonce + created + password))。
  同じトークンの再使用（リプレイ）と、作成日時が有効範囲（5分）外のトークンは拒否される。

  @JUMIN-SEC-001
  シナリオ: UsernameToken のない要求は 2001 で拒否される
    前提 役割の標準的な要求
    かつ UsernameToken を付けない
    もし 要求を送信する
    ならば 結果コード "2001" の Fault が返る

  @JUMIN-SEC-002
  シナリオ: パスワードダイジェストの誤った要求は 2002 で拒否される
    前提 役割の標準的な要求
    かつ 誤ったパスワードでダイジェストを作る
    もし 要求を送信する
    ならば 結果コード "2002" の Fault が返る

  @JUMIN-SEC-003
  シナリオ: 同じトークンを付けた電文の再送（リプレイ）は 2003 で拒否される
    前提 役割の標準的な要求
    もし 要求を送信する
    かつ 同じ電文をそのまま再送する
    ならば 結果コード "2003" の Fault が返る

  @JUMIN-SEC-004
  シナリオ: 作成日時が10分前のトークンは 2004 で拒否される
    前提 役割の標準的な要求
    かつ 作成日時が 10 分前の UsernameToken を付ける
    もし 要求を送信する
    ならば 結果コード "2004" の Fault が返る
