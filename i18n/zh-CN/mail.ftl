# 服务器发送的邮件和短信（简体中文）。每条消息有主题和按顺序排列的段落
# line-1、line-2……。{ $code } 是验证码，{ $minutes } 是有效分钟数。
# 消息 id 必须与 en-US/mail.ftl 一致（有测试检查）。

sms-prefix = 【Relay CRM】

password-change-code =
    .subject = Relay CRM 验证码
    .line-1 = 您修改密码的验证码是 { $code }。
    .line-2 = { $minutes } 分钟内有效。如果这不是您本人的操作，请立即登录并修改密码。

password-reset-code =
    .subject = 重置 Relay CRM 密码
    .line-1 = 您重置密码的验证码是 { $code }。
    .line-2 = { $minutes } 分钟内有效。如果这不是您本人的操作，请忽略本消息。

contact-verification-code =
    .subject = Relay CRM 联系方式验证
    .line-1 = 您的验证码是 { $code }，{ $minutes } 分钟内有效。

password-changed-notice =
    .subject = 您的 Relay CRM 密码已修改
    .line-1 = 您的 Relay CRM 账号密码刚刚被修改。
    .line-2 = 如果这不是您本人的操作，请立即重置密码并联系管理员。

mfa-failures-notice =
    .subject = 有人知道您的 Relay CRM 密码并在尝试登录
    .line-1 = 您的 Relay CRM 账号在输入正确密码后，连续多次输错了两步验证码。
    .line-2 = 如果这不是您本人的操作，说明有人知道您的密码：请立即修改密码并联系管理员。

mfa-enabled-notice =
    .subject = 您的 Relay CRM 账号已开启两步验证
    .line-1 = 您的 Relay CRM 账号刚刚开启了两步验证。
    .line-2 = 如果这不是您本人的操作，请立即重置密码并联系管理员。

mfa-disabled-notice =
    .subject = 您的 Relay CRM 账号已关闭两步验证
    .line-1 = 您的 Relay CRM 账号刚刚关闭了两步验证。
    .line-2 = 如果这不是您本人的操作，请立即重置密码并联系管理员。

recovery-codes-notice =
    .subject = Relay CRM 恢复码已更新
    .line-1 = 您的 Relay CRM 账号刚刚生成了新的恢复码，旧的恢复码已失效。
    .line-2 = 如果这不是您本人的操作，请立即重置密码并联系管理员。

email-changed-notice =
    .subject = 您的 Relay CRM 账号邮箱已更改
    .line-1 = 您的 Relay CRM 账号的邮箱地址刚刚被更改，此地址今后不再接收该账号的验证码和通知。
    .line-2 = 如果这不是您本人的操作，请立即重置密码并告知管理员。

phone-changed-notice =
    .subject = 您的 Relay CRM 账号手机号已更改
    .line-1 = 您的 Relay CRM 账号的手机号刚刚被更改，此号码今后不再接收该账号的验证码。
    .line-2 = 如果这不是您本人的操作，请立即重置密码并告知管理员。

new-device-notice =
    .subject = 您的 Relay CRM 账号在新设备上登录
    .line-1 = 您的 Relay CRM 账号刚刚在一台从未使用过的设备上登录：{ $device }，来自 { $address }，时间 { $time }。
    .line-2 = 如果是您本人，无需任何操作；如果不是，请立即修改密码，并在“设置 → 安全”中让该设备退出登录。

password-expiry-reminder =
    .subject = 您的 Relay CRM 密码即将过期
    .line-1 = 您的 Relay CRM 密码将在 { $days } 天后过期。
    .line-2 = 请在此之前在“设置 → 安全”中修改密码，以免影响登录。

invitation-code =
    .subject = 邀请您加入 Relay CRM
    .line-1 = { $admin } 已将您以 { $login } 的身份加入贵单位的 Relay CRM。您的邀请码是 { $code }。
    .line-2 = 请在 Relay CRM 登录界面选择“有邀请码？”，输入登录名和此邀请码，然后设置您自己的密码。邀请码 { $hours } 小时内有效。

admin-action-notice =
    .subject = 管理员更改了您的 Relay CRM 账号
    .line-1 = { $action ->
        [disabled] 管理员已停用您的 Relay CRM 账号：您已在所有设备上退出登录，重新启用前无法登录。
        [enabled] 管理员已重新启用您的 Relay CRM 账号：您可以登录了。
        [require_change] 管理员要求您在下次登录时设置新的 Relay CRM 密码。
        [unlocked] 管理员已解锁您的 Relay CRM 账号：您可以再次登录。
        [signed_out] 管理员已让您的 Relay CRM 账号在所有设备上退出登录。
        [mfa_reset] 管理员已重置您 Relay CRM 账号的两步验证：请在“设置 → 安全”中重新设置。
        [made_admin] 管理员已将您设为贵单位 Relay CRM 的管理员。
        [made_member] 管理员已将您设为贵单位 Relay CRM 的普通成员：您不再是管理员。
       *[other] 管理员更改了您的 Relay CRM 账号。
    }
    .line-2 = 如有疑问，请联系您的管理员。
