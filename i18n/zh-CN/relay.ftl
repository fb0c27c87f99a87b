app-name = Relay CRM
instance-already-open = Relay CRM 已在这台电脑上打开，但没有响应。请关闭它（或等待它启动完成）后再试。

## Welcome
welcome-title = 欢迎使用 Relay CRM
welcome-lead = 请选择开始方式。
welcome-demo = 在本机试用演示版
welcome-demo-hint = 在本机启动一个私有的演示服务器，内含示例账号。数据不会离开您的电脑。
welcome-company = 连接公司服务器
welcome-company-hint = 使用管理员提供的服务器地址。
welcome-demo-starting = 正在启动演示服务器…
welcome-demo-failed = 演示服务器无法启动。请确认应用可以写入其数据文件夹，然后重试。

## Sign in
login-title = 登录
login-server = 服务器地址
login-server-placeholder = crm.example.com
login-login = 邮箱、手机号或用户名
login-password = 密码
login-remember = 在此电脑上记住我
login-remember-unavailable = 此电脑上没有可用的钥匙串，Relay 无法记住您的登录。
login-submit = 登录
login-submitting = 正在登录…
login-forgot = 忘记密码？
login-demo-title = 演示账号
login-demo-accounts = 可用 { $logins } 登录，密码为 { $password }。
login-demo-fill = 填入 alice
login-mfa-title = 两步验证登录
login-mfa-lead = 请输入身份验证器应用中的 6 位验证码，或一个恢复码。
login-mfa-code = 验证码
login-mfa-submit = 验证
login-mfa-back = 返回登录
login-resume = 正在为您登录…
login-signed-out = 您已退出登录。
login-session-ended = 您的会话已结束，请重新登录。
login-password-changed = 您的密码已修改，请使用新密码登录。
language = 语言
show-password = 显示
hide-password = 隐藏

## Field and request errors
error-required = 必填。
error-server-invalid = 这不是有效的服务器地址。例如：crm.example.com
error-server-insecure = 只有本机地址可以使用 http://，公司服务器请使用 https://。
error-network = 无法连接服务器。请检查网络和服务器地址。
error-timeout = 服务器响应超时，请重试。
error-unexpected = 服务器返回了 Relay 无法识别的内容。地址是否正确？
error-invalid-credentials = 账号或密码错误。
error-account-locked = 失败次数过多，账号已锁定，请 { $minutes } 分钟后再试。
error-rate-limited = 请求过于频繁，请 { $seconds } 秒后再试。
error-invalid-current-password = 当前密码不正确。
error-password-policy = 新密码不符合下列规则。
error-channel-unavailable = 该方式没有已验证的地址。
error-invalid-code = 验证码错误，还可尝试 { $attempts } 次。
error-invalid-code-plain = 验证码错误。
error-challenge-expired = 验证码已过期或已被替换，请重新获取。
error-too-many-codes-account = 此账号输错验证码的次数过多。为保护账号安全，请 { $minutes } 分钟后再试。
error-too-many-attempts = 错误次数过多，请重新开始以获取新的验证码。
error-resend-too-soon = 请等待 { $seconds } 秒后再获取验证码。
error-token-reused = 为保护您的账号，会话已结束，请重新登录。
error-unauthorized = 您的会话已结束，请重新登录。
error-forbidden = 您无权执行此操作。
error-not-found = 该内容已不存在，请重新开始。
error-password-change-required = 继续使用前必须修改密码。
error-internal = 服务器出现问题，请稍后再试。
error-bad-request = 请求未被接受，请检查输入内容。
error-confirm-mismatch = 两次输入的密码不一致。
error-keyring = Relay 无法使用钥匙串：下次需要重新登录。

## Password rules (the live checklist)
rule-length = { $min } 到 { $max } 个字符
rule-letter = 至少包含一个字母
rule-digit = 至少包含一个数字
rule-symbol = 至少包含一个符号（如 ! # ?）
rule-strength = 强度足够
rule-not-common = 不是常用密码
rule-no-identity = 不包含您的用户名、邮箱或手机号
rule-confirm = 两次输入一致
violation-too_short = 太短
violation-too_long = 太长
violation-missing_letter = 需要包含字母
violation-missing_digit = 需要包含数字
violation-missing_symbol = 需要包含符号
violation-too_weak = 太容易被猜到
violation-common = 是常用密码
violation-contains_identity = 包含您的用户名、邮箱或手机号
violation-reused = 近期用过：请选择最近未使用过的密码
violation-same_as_current = 与当前密码相同
strength-label = 强度
strength-0 = 非常弱
strength-1 = 弱
strength-2 = 一般
strength-3 = 强
strength-4 = 非常强
policy-summary = 至少 { $min } 个字符，包含字母、数字和符号；不能与最近 { $history } 次使用的密码相同。

## Workspace shell
nav-customers = 客户
nav-contacts = 联系人
nav-deals = 商机
nav-activities = 活动
workspace-welcome = 您好，{ $name }
workspace-coming = 客户、联系人、商机和活动将显示在这里。您的账号及其安全设置已可在“设置”中使用。
workspace-open-security = 打开安全设置
reminder-password-old = 您的密码已使用超过 { $days } 天。为保护账号安全，请修改密码。
reminder-change-now = 立即修改
must-change-title = 请修改密码后继续
must-change-lead = 您的组织要求您设置新密码后才能使用 Relay。

## Avatar menu
menu-personal-info = 个人信息
menu-settings = 设置
menu-security = 安全设置
menu-language = 语言：{ $language }
menu-sign-out = 退出登录

## Settings
settings-title = 设置
settings-back = 返回工作台
nav-personal-info = 个人信息
nav-security = 安全设置
nav-preferences = 偏好设置
nav-about = 关于
personal-title = 个人信息
personal-name = 姓名
personal-login = 用户名
personal-email = 邮箱
personal-phone = 手机号
personal-none = 未设置
personal-readonly = 如需修改这些信息，请联系管理员。

## Security settings
security-title = 安全设置
password-card = 登录密码
password-last-changed = 上次修改：{ $when }
password-expires = 到期时间：{ $when }
password-change = 修改密码
password-current = 当前密码
password-new = 新密码
password-confirm = 确认新密码
password-send-code-to = 验证码发送至
password-channel-email = 邮箱 { $destination }
password-channel-sms = 短信 { $destination }
password-sign-out-others = 退出我的其他设备
password-continue = 继续
password-sending = 正在发送验证码…
password-changed-toast = 密码已修改，您的其他设备已退出登录。
password-changed-toast-kept = 密码已修改。
verification-card = 验证方式
verification-email = 邮箱
verification-phone = 手机号
verification-bound = 已验证
verification-none = 未绑定
mfa-card = 两步验证
mfa-on = 已开启：登录时需要身份验证器应用中的验证码。
mfa-off = 未开启。开启后即使密码泄露，账号依然安全。
sessions-card = 登录设备
sessions-current = 当前设备
sessions-last-seen = 最近活动 { $when } · { $ip }
sessions-sign-out = 退出
sessions-sign-out-others = 退出所有其他设备
sessions-loading = 正在加载…
activity-card = 最近安全动态
activity-empty = 暂无动态。
event-login = 登录成功
event-login_failed = 登录失败
event-password_changed = 修改密码
event-password_reset = 重置密码
event-session_revoked = 设备已退出
event-mfa_enabled = 开启两步验证
event-mfa_disabled = 关闭两步验证
event-email_changed = 更换邮箱
event-phone_changed = 更换手机号
event-token_reused = 已阻止盗用的登录
event-mfa_failed = 两步验证码错误
event-recovery_codes_regenerated = 生成了新的恢复码
event-password_policy_changed = 密码规则已修改
event-other = 安全事件
load-failed = 无法加载此部分。
retry = 重试

## Code dialog
code-title = 输入验证码
code-sent-to = 我们已向 { $destination } 发送 6 位验证码。
code-sent = 如果该账号存在，我们已向其{ $channel ->
    [sms] 手机
   *[email] 邮箱
 }发送 6 位验证码。
code-valid-for = 验证码 { $minutes } 分钟内有效。
code-expires-in = { $time } 后过期
code-expired = 验证码已过期。
code-placeholder = 6 位验证码
code-attempts-left = 还可尝试 { $attempts } 次
code-confirm = 确认
code-confirming = 正在验证…
code-resend = 重新发送
code-resend-in = { $seconds } 秒后可重新发送
code-resending = 正在发送…
code-resent = 新的验证码已发送。
code-cancel = 取消
code-demo-hint = 演示版：验证码显示在右侧的“演示收件箱”中。

## Forgotten password
reset-title = 重置密码
reset-lead = 请输入邮箱、手机号或用户名，我们会向账号绑定的地址发送验证码。
reset-login = 邮箱、手机号或用户名
reset-send = 发送验证码
reset-sending = 正在发送…
reset-new-title = 设置新密码
reset-save = 保存新密码
reset-saving = 正在保存…
reset-done = 密码已重置，请使用新密码登录。
reset-back = 返回登录

## Preferences and About
prefs-title = 偏好设置
prefs-language = 语言
prefs-theme = 主题
theme-system = 跟随系统
theme-light = 浅色
theme-dark = 深色
about-title = 关于
about-version = 版本 { $version }
about-server = 服务器：{ $server }
about-licences = Relay CRM 是基于 Apache License 2.0 的自由软件，使用了 iced、tokio、reqwest、keyring-core、argon2、axum、sqlx 等采用 MIT 或 Apache-2.0 许可的开源组件；内置的思源黑体（Noto Sans SC）字体采用 SIL Open Font License 1.1 许可。

## Demo inbox
inbox-title = 演示收件箱
inbox-empty = 暂无消息。演示服务器发送的验证码和通知会显示在这里。
inbox-code = 验证码 { $code }
inbox-to = 收件人 { $to }


toast-dismiss = 关闭

## CRM workspace
section-customers = 客户
section-contacts = 联系人
section-deals = 商机
section-activities = 活动
new-customer = 新建客户
new-contact = 新建联系人
new-deal = 新建商机
new-activity = 新建活动
list-search-placeholder = 搜索名称、电话、邮箱…
list-count = 共 { $count } 条
list-loading = 加载中…
list-empty = 暂无记录。
list-no-match = 没有与“{ $query }”匹配的记录。
filter-mine = 只看我的
filter-any-stage = 全部阶段
filter-any-tag = 全部标签
filter-due-all = 全部活动
filter-due-overdue = 已逾期
filter-due-today = 今天到期
filter-due-upcoming = 即将到期
filter-due-done = 已完成
deals-board = 看板
board-count = { $count } 个商机
board-more = 还有 { $count } 个（可搜索或筛选）
stage-lead = 线索
stage-qualified = 已确认
stage-proposal = 方案
stage-negotiation = 谈判
stage-won = 赢单
stage-lost = 输单
kind-call = 电话
kind-meeting = 会议
kind-task = 任务
kind-note = 备注
field-name = 名称
field-industry = 行业
field-phone = 电话
field-email = 邮箱
field-address = 地址
field-website = 网站
field-tags = 标签
field-tags-hint = 多个标签用逗号分隔
field-notes = 备注
field-title = 职务
field-deal-title = 商机名称
field-amount = 金额
field-currency = 币种
field-expected-close = 预计成交日期
field-stage = 阶段
field-subject = 主题
field-due = 截止时间
field-kind = 类型
field-done = 已完成
field-customer = 客户
field-customer-none = 未关联客户。
field-customer-unknown = （本机尚未同步到的客户）
field-customer-search = 输入以查找客户…
field-deal = 商机
field-owner = 负责人
field-error-required = 必填。
field-error-too-long = 内容过长。
field-error-email = 邮箱格式不正确（例如 name@example.com）。
field-error-phone = 电话格式不正确（5 到 20 位数字，可含 + - ( ) 和空格）。
field-error-url = 网址格式不正确（例如 example.com）。
field-error-negative = 不能为负数。
field-error-number = 不是数字（例如 120000 或 1,250.50）。
field-error-currency = 请使用三个字母的币种代码，例如 CNY 或 USD。
field-error-date = 日期格式不正确（请用 2026-12-31，或带时间 2026-12-31 14:00）。
field-error-id = 关联的记录无效。
field-error-stage = 已赢单或输单的商机不能重新打开，请新建商机。
field-error-other = 该值不被接受。
form-edit-title = 编辑
form-save = 保存
form-cancel = 取消
form-clear = 取消关联
form-fix-errors = 请先修改上方标出的字段，尚未保存。
detail-edit = 编辑
detail-delete = 删除
detail-none = 暂无。
yes = 是
no = 否
record-gone = 该记录已被删除（在本机或其他设备上）。
undo-deleted = 已删除“{ $name }”。
undo-button = 撤销
conflict-title = 两处同时修改
conflict-lead = 你在本机修改“{ $name }”的同时，它在另一台设备上也被修改了。请逐个字段选择要保留的内容。
conflict-field = 字段
conflict-mine = 我的（本机）
conflict-theirs = 对方的（服务器）
conflict-keep-mine = 保留我的
conflict-keep-theirs = 保留对方的
conflict-keep-merge = 按我的选择合并
conflict-delete-anyway = 仍然删除
conflict-later = 稍后决定
conflict-you-deleted = 你在本机删除了这条记录，而它在另一台设备上被修改了。
conflict-they-deleted = 这条记录在另一台设备上被删除了，而你在本机修改了它。
conflict-waiting = 之后还有 { $count } 个冲突待处理。
sync-syncing = 正在同步…
sync-starting = 正在连接…
sync-online = 在线
sync-synced-at = 已同步 { $time }
sync-waiting = 在线 · { $count } 项更改待同步
sync-offline = { $count ->
    [0] 离线
   *[other] 离线 · { $count } 项更改待同步
}
sync-failing = { $count ->
    [0] 同步失败 · 稍后重试
   *[other] 同步失败 · { $count } 项待同步 · 稍后重试
}
sync-needs-sign-in = 离线登录 · 请重新登录以同步
sync-conflicts = { $count } 个冲突
local-opening = 正在打开本机数据…
local-failed-title = 无法打开本机数据
local-wrong-password = 该密码无法打开本机数据。
local-not-openable = 无法用该密钥打开本机数据。
local-storage-failed = 无法读写本机数据（磁盘是否已满？）。
unlock-title = 解锁本机数据
unlock-lead = 请输入密码以打开保存在本机的客户数据。
unlock-previous-title = 你的密码已在其他地方修改
unlock-previous-lead = 本机的客户数据仍用你之前的密码加密。请输入一次旧密码，之后将改用新密码加密。
unlock-previous-password = 之前的密码
unlock-button = 解锁
unlock-busy = 正在解锁…
unlock-set-aside-lead = 想不起来了？旧数据（包括尚未同步的修改）会加密保存在单独的文件夹中，你将从服务器重新开始。以后可以用旧密码找回这些修改。
unlock-set-aside = 先放在一边，重新开始
recover-lead = 密码重置之前的修改仍加密保存在 { $path }。输入之前的密码即可找回。
recover-password = 之前的密码
recover-button = 找回修改
recover-done = 已找回 { $count } 项修改，稍后会自动同步。
login-offline-signed-in = 无法连接服务器：已离线登录。服务器恢复后会自动同步你的修改。
login-offline-wrong-password = 无法连接服务器，且该密码无法打开本机保存的数据。
login-sign-in-to-sync = 服务器已可连接。请登录以同步你的修改。
list-first-matches = 仅显示前 { $count } 条匹配结果，可继续输入以缩小范围。
