# Mail and SMS the server sends, in English. Each message has a subject and
# its paragraphs, line-1, line-2, … in order. { $code } is the code,
# { $minutes } how long it is valid. The ids must match zh-CN/mail.ftl (a
# test checks).

sms-prefix = 【Relay CRM】

password-change-code =
    .subject = Your Relay CRM verification code
    .line-1 = Your code to confirm the password change is { $code }.
    .line-2 = It is valid for { $minutes } minutes. If you did not ask to change your password, sign in and change it now.

password-reset-code =
    .subject = Reset your Relay CRM password
    .line-1 = Your code to reset your password is { $code }.
    .line-2 = It is valid for { $minutes } minutes. If you did not ask for it, you can ignore this message.

contact-verification-code =
    .subject = Confirm your address for Relay CRM
    .line-1 = Your verification code is { $code }. It is valid for { $minutes } minutes.

password-changed-notice =
    .subject = Your Relay CRM password was changed
    .line-1 = The password of your Relay CRM account was just changed.
    .line-2 = If this was not you, reset your password at once and tell your administrator.

mfa-failures-notice =
    .subject = Someone who knows your Relay CRM password is trying to sign in
    .line-1 = Several wrong two-step codes were just entered for your Relay CRM account after the right password.
    .line-2 = If this was not you, someone knows your password: change it now and tell your administrator.

mfa-enabled-notice =
    .subject = Two-step sign-in is on for your Relay CRM account
    .line-1 = Two-step sign-in was just turned on for your Relay CRM account.
    .line-2 = If this was not you, reset your password at once and tell your administrator.

mfa-disabled-notice =
    .subject = Two-step sign-in is off for your Relay CRM account
    .line-1 = Two-step sign-in was just turned off for your Relay CRM account.
    .line-2 = If this was not you, reset your password at once and tell your administrator.

recovery-codes-notice =
    .subject = New Relay CRM recovery codes
    .line-1 = New recovery codes were just made for your Relay CRM account; the old ones no longer work.
    .line-2 = If this was not you, reset your password at once and tell your administrator.

email-changed-notice =
    .subject = The email of your Relay CRM account was changed
    .line-1 = The email address of your Relay CRM account was just changed; this address no longer receives its codes and notices.
    .line-2 = If this was not you, reset your password at once and tell your administrator.

phone-changed-notice =
    .subject = The phone number of your Relay CRM account was changed
    .line-1 = The phone number of your Relay CRM account was just changed; this number no longer receives its codes.
    .line-2 = If this was not you, reset your password at once and tell your administrator.

new-device-notice =
    .subject = A new sign-in to your Relay CRM account
    .line-1 = Your Relay CRM account was signed in to from a device it had not used before: { $device }, from { $address }, at { $time }.
    .line-2 = If this was you, there is nothing to do. If not, change your password now and sign that device out under Settings → Security.

password-expiry-reminder =
    .subject = Your Relay CRM password expires soon
    .line-1 = { $days ->
        [one] Your Relay CRM password expires tomorrow.
       *[other] Your Relay CRM password expires in { $days } days.
    }
    .line-2 = Change it under Settings → Security before then, so that signing in is not held up.

invitation-code =
    .subject = You are invited to Relay CRM
    .line-1 = { $admin } added you to your organisation's Relay CRM as { $login }. Your invitation code is { $code }.
    .line-2 = In Relay CRM choose "Have an invitation code?" on the sign-in screen, type your login and this code, and choose your own password. The code is valid for { $hours } hours.

admin-action-notice =
    .subject = An administrator changed your Relay CRM account
    .line-1 = { $action ->
        [disabled] An administrator disabled your Relay CRM account: you are signed out everywhere and can't sign in until it is enabled again.
        [enabled] An administrator enabled your Relay CRM account again: you can sign in.
        [require_change] An administrator asks you to choose a new Relay CRM password at your next sign-in.
        [unlocked] An administrator unlocked your Relay CRM account: you can sign in again.
        [signed_out] An administrator signed your Relay CRM account out on every device.
        [mfa_reset] An administrator reset two-step sign-in for your Relay CRM account: set it up again under Settings → Security.
        [made_admin] An administrator made you an administrator of your organisation in Relay CRM.
        [made_member] An administrator made you a member of your organisation in Relay CRM: you are no longer an administrator.
       *[other] An administrator changed your Relay CRM account.
    }
    .line-2 = If you did not expect this, ask your administrator.
