# language: ja
@jumin @provider @receiver
機能: 応答の日時は時差付き
  製品が応答に書く日時（受領日時 acceptedAt など）は、どれも時差（+09:00 または Z）を持つ
  （api_specs/README.md、OpenAPI の date-time は RFC 3339）。重複の受領（0001）の応答も同じ。
  キットはこの実行で受けたすべての応答を見て、最後に判定する。

  @JUMIN-DT-001 @run_last
  シナリオ: この実行で受けた応答の日時はすべて時差付きである
    前提 役割の標準的な要求
    もし 要求を送信する
    ならば この実行で受けた応答の日時はすべて時差付きである
