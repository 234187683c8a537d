# language: ja
@jumin @sender
機能: 住民異動通知 (IdoTsuchi) の送信
  キットがハブの役を務め、送信側製品から届いた電文を契約に照らして判定する。
  --trigger-url があればキットの受信口へ送るよう依頼し、なければ待ち時間の間に届いた電文を判定する。

  @JUMIN-SND-001
  シナリオ: 住民異動通知が待ち時間内に届く
    前提 送信側から届いた住民異動通知
    ならば 依頼した件数の通知が届いている

  @JUMIN-SOAP-003
  シナリオ: 届いた電文は SOAP 封筒で Content-Type と SOAPAction が操作に合う
    前提 送信側から届いた住民異動通知
    ならば どの電文も SOAP 1.1 か 1.2 の封筒で Content-Type と action が IdoTsuchi に合う

  @JUMIN-XSD-003
  シナリオ: 届いた本文は jumin.xsd の IdoTsuchiRequest に適合する
    前提 送信側から届いた住民異動通知
    ならば どの電文の本文も jumin.xsd の IdoTsuchiRequest に適合する

  @JUMIN-HDR-004
  シナリオ: 届いた共通ヘッダは必須項目をすべて持ち service と operation が本文と一致する
    前提 送信側から届いた住民異動通知
    ならば どの電文の共通ヘッダも common.xsd に適合し必須項目があり service は "jumin" operation は "IdoTsuchi"

  @JUMIN-HDR-005
  シナリオ: 届いた団体コードは検査数字が正しい
    前提 送信側から届いた住民異動通知
    ならば どの電文の団体コードも検査数字が正しい

  @JUMIN-HDR-006
  シナリオ: 内容の異なる通知には異なる messageId が付いている
    前提 送信側から届いた住民異動通知
    ならば 同じ messageId の電文は内容も同じ

  @JUMIN-SEC-005
  シナリオ: 届いた UsernameToken は PasswordDigest で新しく使い回されていない
    前提 送信側から届いた住民異動通知
    ならば どの電文の UsernameToken も PasswordDigest が正しく作成日時が新しい
    かつ どの Nonce も一度しか使われていない

  @JUMIN-ORD-003
  シナリオ: 同じ住民の異動は異動日順に届く
    前提 送信側から届いた住民異動通知
    ならば 同じ住民の異動は異動日が古い順に届いている
