app-name = Relay CRM

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
