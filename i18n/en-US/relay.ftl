app-name = Relay CRM
instance-already-open = Relay CRM is already open on this computer, but it did not answer. Close it (or wait for it to finish starting) and try again.

## Welcome
welcome-title = Welcome to Relay CRM
welcome-lead = Choose how to start.
welcome-demo = Try the demo on this computer
welcome-demo-hint = Starts a private demo server on this computer with sample accounts. Nothing leaves your machine.
welcome-company = Connect to my company's server
welcome-company-hint = Use the address your administrator gave you.
welcome-demo-starting = Starting the demo server…
welcome-demo-failed = The demo server could not start. Check that the app may write to its data folder, then try again.

## Sign in
login-title = Sign in
login-server = Server address
login-server-placeholder = crm.example.com
login-login = Email, phone or username
login-password = Password
login-remember = Remember me on this computer
login-remember-unavailable = No usable keyring on this computer, so Relay can't remember you.
login-submit = Sign in
login-submitting = Signing in…
login-forgot = Forgot password?
login-invitation = Have an invitation code?
invitation-title = Accept your invitation
invitation-lead = Your administrator added you to Relay CRM: type the login from the invitation, then its code, and choose your own password.
invitation-login = Login, email or phone
invitation-continue = Continue
invitation-code-title = Invitation code
invitation-code-lead = Type the 6-digit code from your invitation email or SMS.
invitation-new-title = Choose your password
invitation-save = Set password
invitation-done = Your password is set. Sign in with it now.
login-demo-title = Demo accounts
login-demo-accounts = Sign in as { $logins } with the password { $password }.
login-demo-fill = Fill in alice
login-mfa-title = Two-step sign-in
login-mfa-lead = Enter the 6-digit code from your authenticator app, or one of your recovery codes.
login-mfa-code = Code
login-mfa-submit = Verify
login-mfa-back = Back to sign in
login-resume = Signing you in…
login-signed-out = You have been signed out.
login-session-ended = Your session has ended. Please sign in again.
login-password-changed = Your password was changed. Sign in with the new one.
language = Language
show-password = Show
hide-password = Hide

## Field and request errors
error-required = Required.
error-server-invalid = This is not a server address. Example: crm.example.com
error-server-insecure = Plain http:// is only allowed for this computer. Use https:// for a company server.
error-network = Can't reach the server. Check your connection and the server address.
error-timeout = The server took too long to answer. Try again.
error-unexpected = The server gave an answer Relay does not understand. Is the address right?
error-invalid-credentials = Wrong login or password.
error-account-locked = Too many failed attempts. The account is locked; try again in { $minutes } min.
error-rate-limited = Too many requests. Try again in { $seconds } s.
error-invalid-current-password = The current password is not right.
error-password-policy = The new password does not meet the rules below.
error-channel-unavailable = No verified address for this choice.
error-invalid-code = Wrong code. { $attempts } attempts left.
error-invalid-code-plain = Wrong code.
error-challenge-expired = This code has expired or was replaced. Request a new one.
error-too-many-codes-account = Too many wrong codes were entered for this account. For its safety, try again in { $minutes } min.
error-too-many-attempts = Too many wrong codes. Start again to get a new code.
error-resend-too-soon = Please wait { $seconds } s before asking for another code.
error-token-reused = Your session was ended for your safety. Please sign in again.
error-unauthorized = Your session has ended. Please sign in again.
error-forbidden = You are not allowed to do this.
error-not-found = This no longer exists. Start again.
error-password-change-required = You must change your password before you continue.
error-internal = Something went wrong on the server. Try again later.
error-bad-request = The request was not accepted. Check what you entered.
error-validation-failed = Check what you entered: a field is not valid.
error-already-in-use = Another account already uses this address.
error-last-channel = This is the only address left that can receive codes, so it can't be removed.
error-account-disabled = An administrator has disabled your account. Ask your administrator if you need it again.
error-last-admin = The organisation must keep at least one active administrator: make someone else an administrator first.
error-policy-too-weak = This policy asks for less than NIST SP 800-63B allows (at least 8 characters, at least 64 allowed, at most 100 tries before a lock).
error-unsupported-image = This file is not a PNG, JPEG or WebP picture.
error-image-too-large = This picture is too large (at most 8000 pixels a side).
error-mfa-already-enabled = Two-step sign-in is already on.
error-mfa-not-enabled = Two-step sign-in is not on.
error-confirm-mismatch = The two passwords differ.
error-keyring = Relay could not use the keyring: you will have to sign in next time.

## Password rules (the live checklist)
rule-length = { $min } to { $max } characters
rule-letter = At least one letter
rule-digit = At least one digit
rule-symbol = At least one symbol (such as ! # ?)
rule-strength = Strong enough
rule-not-common = Not a commonly used password
rule-no-identity = Does not contain your name, email or phone
rule-confirm = Both entries match
violation-too_short = Too short
violation-too_long = Too long
violation-missing_letter = Needs a letter
violation-missing_digit = Needs a digit
violation-missing_symbol = Needs a symbol
violation-too_weak = Too easy to guess
violation-common = A commonly used password
violation-contains_identity = Contains your name, email or phone
violation-reused = Used before: choose one you have not used recently
violation-same_as_current = Same as the current password
strength-label = Strength
strength-0 = Very weak
strength-1 = Weak
strength-2 = Fair
strength-3 = Strong
strength-4 = Very strong
policy-summary = At least { $min } characters with a letter, a digit and a symbol; not one of your last { $history } passwords.

## Workspace shell
nav-customers = Customers
nav-contacts = Contacts
nav-deals = Deals
nav-activities = Activities
workspace-welcome = Hello, { $name }
workspace-coming = Customers, contacts, deals and activities will appear here. Your account and its security are ready in Settings.
workspace-open-security = Open security settings
reminder-password-old = Your password is more than { $days } days old. Change it to keep your account safe.
reminder-change-now = Change now
must-change-title = Change your password to continue
must-change-lead = Your organisation requires a new password before you can use Relay.

## Avatar menu
menu-personal-info = Personal info
menu-settings = Settings
menu-security = Security settings
menu-language = Language: { $language }
menu-sign-out = Sign out

## Settings
settings-title = Settings
settings-back = Back to workspace
nav-personal-info = Personal info
nav-security = Security settings
nav-preferences = Preferences
nav-about = About
personal-title = Personal info
personal-name = Name
personal-login = Username
personal-email = Email
personal-phone = Phone
personal-none = Not set
personal-language = Language of your account
personal-language-hint = Relay's mail and text messages to you are in this language.
personal-save = Save
personal-saving = Saving…
personal-saved = Saved.
personal-name-required = Enter your name.
personal-name-too-long = At most { $max } characters.
personal-name-invalid = This name can't be used: use letters, not control characters.
personal-contact-hint = Email and phone are changed under Security settings → Verification.
photo-change = Change photo…
photo-remove = Remove photo
photo-hint = PNG, JPEG or WebP, up to 10 MB. Others in your organisation see it.
photo-filter = Pictures
photo-no-dialog = No file dialog is available on this desktop. Type the picture's path instead:
photo-path-placeholder = /home/you/Pictures/me.jpg
photo-open = Open
photo-unreadable = The file can't be read.
photo-not-an-image = This file is not a PNG, JPEG or WebP picture.
photo-too-big = The file is over 10 MB.
photo-too-large = The picture is too large: at most 8000 pixels a side.
photo-crop-title = Your photo
photo-crop-lead = Choose the part to show: zoom in and move the square.
photo-zoom = Zoom
photo-across = Left – right
photo-up-down = Up – down
photo-save = Use this photo

## Security settings
security-title = Security settings
password-card = Password
password-last-changed = Last changed { $when }
password-expires = Expires { $when }
password-change = Change password
password-current = Current password
password-new = New password
password-confirm = Confirm new password
password-send-code-to = Send the verification code to
password-channel-email = Email { $destination }
password-channel-sms = SMS { $destination }
password-sign-out-others = Sign out my other devices
password-continue = Continue
password-sending = Sending code…
password-changed-toast = Password changed. Your other devices were signed out.
password-changed-toast-kept = Password changed.
verification-card = Verification
verification-email = Email
verification-phone = Phone
verification-bound = Verified
verification-none = Not bound
verification-change = Change…
verification-add = Add…
verification-remove = Remove…
contact-change-email-title = New email address
contact-change-phone-title = New phone number
contact-remove-email-title = Remove the email address
contact-remove-phone-title = Remove the phone number
contact-change-lead = We send a code to the new address. It replaces the old one once you enter the code; the old one is told.
contact-remove-lead = Codes and notices then go only to the other address. Enter your password to confirm.
contact-new-email = New email address
contact-new-phone = New phone number
contact-invalid-email = Enter an email address such as name@example.com.
contact-invalid-phone = Enter a phone number: digits, and + - ( ) or spaces.
contact-send-code = Send code
contact-remove = Remove
contact-email-changed = Your email address was changed. Sign in with the new one from now on.
contact-phone-changed = Your phone number was changed. Sign in with the new one from now on.
contact-removed = The address was removed.
checkup-card = Security checkup
checkup-all-well = All is well. Relay checks these each time you open this page.
checkup-some-to-do = A few things would make your account safer:
checkup-password-ok = { $days ->
    [0] Your password was changed today and meets your organisation's rules.
    [one] Your password was changed yesterday and meets your organisation's rules.
   *[other] Your password was changed { $days } days ago and meets your organisation's rules.
}
checkup-password-expires = { $days ->
    [one] Your password expires tomorrow.
   *[other] Your password expires in { $days } days.
}
checkup-password-expired = Your password has expired.
checkup-password-old = Your password is { $days } days old.
checkup-change-password = Change password
checkup-two-step-on = Two-step sign-in is on.
checkup-two-step-off = Two-step sign-in is off: anyone with your password can sign in.
checkup-contact-both = Email and phone are both bound.
checkup-contact-no-email = No email is bound: add one so you can always get codes.
checkup-contact-no-phone = No phone is bound: add one so you can always get codes.
checkup-devices-ok = No signed-in device has gone unused for { $days } days.
checkup-devices-stale = { $count ->
    [one] 1 device has not been used for { $days } days but is still signed in.
   *[other] { $count } devices have not been used for { $days } days but are still signed in.
}
checkup-sign-them-out = Sign them out
reminder-password-expires = { $days ->
    [one] Your password expires tomorrow. Change it now so signing in is not held up.
   *[other] Your password expires in { $days } days. Change it now so signing in is not held up.
}
mfa-card = Two-step sign-in
mfa-on = On: signing in needs a code from your authenticator app.
mfa-off = Off. Turn it on to protect your account even if your password leaks.
sessions-card = Sessions and devices
sessions-current = This device
sessions-last-seen = Last active { $when } · { $ip }
sessions-sign-out = Sign out
sessions-sign-out-others = Sign out all other devices
sessions-loading = Loading…
activity-card = Recent security activity
activity-empty = No activity yet.
event-login = Signed in
event-login_failed = Failed sign-in
event-password_changed = Password changed
event-password_reset = Password reset
event-session_revoked = Device signed out
event-mfa_enabled = Two-step sign-in turned on
event-mfa_disabled = Two-step sign-in turned off
event-email_changed = Email changed
event-phone_changed = Phone changed
event-invitation_accepted = Invitation accepted, password set
event-account_disabled = Account disabled by an administrator
event-account_enabled = Account enabled by an administrator
event-password_change_required = New password required by an administrator
event-account_unlocked = Account unlocked by an administrator
event-sessions_revoked_by_admin = Signed out everywhere by an administrator
event-mfa_reset = Two-step sign-in reset by an administrator
event-role_changed = Role changed by an administrator
event-token_reused = Stolen sign-in stopped
event-mfa_failed = Wrong two-step code
event-recovery_codes_regenerated = New recovery codes
event-password_policy_changed = Password rules changed
event-other = Security event
load-failed = Could not load this section.
retry = Retry

## Code dialog
code-title = Enter the verification code
code-sent-to = We sent a 6-digit code to { $destination }.
code-sent = We sent a 6-digit code to your { $channel ->
    [sms] phone
   *[email] email
 } if the account exists.
code-valid-for = It is valid for { $minutes } minutes.
code-expires-in = Expires in { $time }
code-expired = The code has expired.
code-placeholder = 6-digit code
code-attempts-left = { $attempts } attempts left
code-confirm = Confirm
code-confirming = Checking…
code-resend = Resend code
code-resend-in = Resend in { $seconds } s
code-resending = Sending…
code-resent = A new code is on its way.
code-cancel = Cancel
code-demo-hint = Demo: the code is in the Demo inbox on the right.

## Forgotten password
reset-title = Reset your password
reset-lead = Enter your email, phone or username. We will send a code to the address on your account.
reset-login = Email, phone or username
reset-send = Send code
reset-sending = Sending…
reset-new-title = Choose a new password
reset-mfa-code = Your account has two-step sign-in: the code from your authenticator app, or a recovery code
reset-save = Save new password
reset-saving = Saving…
reset-done = Password reset. Sign in with your new password.
reset-back = Back to sign in

## Preferences and About
prefs-title = Preferences
prefs-language = Language
prefs-theme = Theme
theme-system = Same as system
theme-light = Light
theme-dark = Dark
about-title = About
about-version = Version { $version }
about-server = Server: { $server }
about-licences = Relay CRM is free software under the Apache License 2.0. It uses iced, tokio, reqwest, keyring-core, argon2, axum, sqlx and other open-source crates under MIT or Apache-2.0 licences; the bundled Noto Sans SC font is under the SIL Open Font License 1.1.

## Demo inbox
inbox-title = Demo inbox
inbox-empty = No messages yet. Codes and notices sent by the demo server appear here.
inbox-code = Code { $code }
inbox-to = To { $to }


toast-dismiss = Dismiss

## CRM workspace
section-customers = Customers
section-contacts = Contacts
section-deals = Deals
section-activities = Activities
new-customer = New customer
new-contact = New contact
new-deal = New deal
new-activity = New activity
list-search-placeholder = Search names, phones, emails…
list-count = { $count ->
    [one] { $count } record
   *[other] { $count } records
}
list-loading = Loading…
list-empty = Nothing here yet.
list-no-match = Nothing matches “{ $query }”.
filter-any-stage = Any stage
filter-any-tag = Any tag
filter-due-all = All activities
filter-due-overdue = Overdue
filter-due-today = Due today
filter-due-upcoming = Upcoming
filter-due-done = Done
deals-board = Board
board-count = { $count ->
    [one] { $count } deal
   *[other] { $count } deals
}
board-more = + { $count } more (search or filter to narrow)
stage-lead = Lead
stage-qualified = Qualified
stage-proposal = Proposal
stage-negotiation = Negotiation
stage-won = Won
stage-lost = Lost
kind-call = Call
kind-meeting = Meeting
kind-task = Task
kind-note = Note
field-name = Name
field-industry = Industry
field-phone = Phone
field-email = Email
field-address = Address
field-website = Website
field-tags = Tags
field-tags-hint = Separate tags with commas
field-notes = Notes
field-title = Job title
field-deal-title = Deal
field-amount = Amount
field-currency = Currency
field-expected-close = Expected close
field-stage = Stage
field-subject = Subject
field-due = Due
field-kind = Kind
field-done = Done
field-customer = Customer
field-customer-none = No customer linked.
field-customer-unknown = (a customer not on this computer yet)
field-customer-search = Type to find a customer…
field-deal = Deal
field-owner = Owner
field-error-required = Required.
field-error-too-long = Too long.
field-error-email = Not an email address (like name@example.com).
field-error-phone = Not a phone number (5 to 20 digits; + - ( ) and spaces allowed).
field-error-url = Not a web address (like example.com).
field-error-negative = Can't be negative.
field-error-number = Not a number (like 120000 or 1,250.50).
field-error-currency = Use a three-letter currency code, like CNY or USD.
field-error-date = Not a date (use 2026-12-31, or 2026-12-31 14:00 for a time).
field-error-id = The linked record is not valid.
field-error-stage = A won or lost deal stays closed; create a new deal instead.
field-error-other = This value is not accepted.
form-edit-title = Edit
form-save = Save
form-cancel = Cancel
form-clear = Unlink
form-fix-errors = Please correct the fields marked above. Nothing was saved.
detail-edit = Edit
detail-delete = Delete
detail-none = None yet.
yes = Yes
no = No
record-gone = That record was deleted (here or on another device).
undo-deleted = Deleted “{ $name }”.
undo-button = Undo
conflict-title = Changed in two places
conflict-lead = “{ $name }” was changed on another device while you changed it here. Choose what to keep, field by field.
conflict-field = Field
conflict-mine = Mine (this computer)
conflict-theirs = Theirs (server)
conflict-keep-mine = Keep mine
conflict-keep-theirs = Keep theirs
conflict-keep-merge = Keep my choices
conflict-delete-anyway = Delete it anyway
conflict-later = Decide later
conflict-you-deleted = You deleted this record here; on another device it was changed.
conflict-they-deleted = On another device this record was deleted; you changed it here.
conflict-waiting = { $count ->
    [one] One more conflict waits after this one.
   *[other] { $count } more conflicts wait after this one.
}
sync-syncing = Syncing…
sync-starting = Connecting…
sync-online = Online
sync-synced-at = Synced { $time }
sync-waiting = { $count ->
    [one] Online · 1 change waiting
   *[other] Online · { $count } changes waiting
}
sync-offline = { $count ->
    [0] Offline
    [one] Offline · 1 change waiting
   *[other] Offline · { $count } changes waiting
}
sync-failing = { $count ->
    [0] Sync failed · retrying
   *[other] Sync failed · { $count } waiting · retrying
}
sync-needs-sign-in = Offline sign-in · sign in to sync
sync-conflicts = { $count ->
    [one] 1 conflict
   *[other] { $count } conflicts
}
local-opening = Opening your data on this computer…
local-failed-title = Your data on this computer could not be opened
local-wrong-password = That password does not open the data on this computer.
local-not-openable = The data on this computer can't be opened with this key.
local-storage-failed = The data on this computer could not be read or written (is the disk full?).
unlock-title = Unlock your data on this computer
unlock-lead = Enter your password to open the customer data kept on this computer.
unlock-previous-title = Your password was changed elsewhere
unlock-previous-lead = The customer data on this computer is still locked with your previous password. Enter it once and it will be re-locked with the new one.
unlock-previous-password = Previous password
unlock-button = Unlock
unlock-busy = Unlocking…
unlock-set-aside-lead = Don't remember it? The old data (with any edits not yet synced) is kept locked in a folder of its own, and you start afresh from the server. You can bring those edits back later with the previous password.
unlock-set-aside = Keep it aside and start afresh
recover-lead = Edits made before your password was reset are kept locked in { $path }. Enter your previous password to bring them back.
recover-password = Previous password
recover-button = Recover edits
recover-done = { $count ->
    [one] 1 edit recovered; it will sync shortly.
   *[other] { $count } edits recovered; they will sync shortly.
}
login-offline-signed-in = The server can't be reached: signed in offline. Your changes sync when it is back.
login-offline-wrong-password = The server can't be reached, and this password does not open the data kept on this computer.
login-sign-in-to-sync = The server is reachable again. Sign in to sync your changes.

two-step-on-title = Turn on two-step sign-in
two-step-off-title = Turn off two-step sign-in
two-step-codes-title = New recovery codes
two-step-on-lead = Enter your password to start. You will need an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or FreeOTP).
two-step-off-lead = Signing in will then need only your password. Enter your password and a code from your authenticator app (or a recovery code).
two-step-codes-lead = Your old recovery codes stop working. Enter your password and a code from your authenticator app (or a recovery code).
two-step-current-code = Code from your authenticator app, or a recovery code
two-step-current-code-placeholder = 123456 or abcd-efgh-jk
two-step-next = Continue
two-step-turn-on = Turn on
two-step-turn-off = Turn off
two-step-make-codes = Make new codes
two-step-working = Please wait…
two-step-scan = Scan this QR code with your authenticator app, then enter the 6-digit code it shows.
two-step-key = Can't scan it? Type this key into the app instead:
two-step-first-code = The 6-digit code from the app
two-step-qr-failed = The QR code could not be drawn. Type the key into the app instead.
two-step-codes-shown-once = Keep these recovery codes somewhere safe. Each signs you in once if you lose your phone. They are shown only now.
two-step-save = Save to a file…
two-step-copy = Copy
two-step-copied = Copied to the clipboard.
two-step-saved-to = Saved to { $path }.
two-step-save-failed = The file could not be saved. Copy the codes instead.
two-step-no-dialog = No file dialog is available on this desktop. Use Copy and paste the codes somewhere safe.
two-step-have-saved = I have saved these codes
two-step-done = Done
two-step-on-toast = Two-step sign-in is on. Keep your recovery codes safe.
two-step-off-toast = Two-step sign-in is off.
two-step-codes-toast = New recovery codes made; the old ones no longer work.
two-step-file-title = Relay CRM recovery codes for { $login }
two-step-file-lead = Each code signs you in once when you can't use your authenticator app. Keep this file safe.
mfa-turn-on = Turn on…
mfa-turn-off = Turn off…
mfa-new-codes = New recovery codes…
mfa-codes-left = { $count ->
    [one] 1 recovery code left.
   *[other] { $count } recovery codes left.
}
mfa-codes-low = Only { $count } recovery codes left: make new ones before you run out.

## Settings → Organisation (admins)
nav-organisation = Organisation
org-title = Organisation
org-tab-people = People
org-tab-policy = Password policy
org-tab-audit = Audit log
people-search = Search by name, login, email or phone
people-count = { $shown } of { $total }
people-add = Add person…
people-name = Name
people-login = Login
people-role = Role
people-status = Status
people-two-step = Two-step
people-last-sign-in = Last sign-in
people-password-age = Password age
people-never = never
people-days = { $days ->
    [one] 1 day
   *[other] { $days } days
}
people-on = on
people-off = off
people-no-match = Nobody matches this search.
people-disable = Disable
people-enable = Enable
people-require-change = Require new password
people-unlock = Unlock
people-sign-out = Sign out everywhere
people-reset-mfa = Reset two-step
people-make-admin = Make admin
people-make-member = Make member
people-resend-invitation = Send invitation again
role-admin = Admin
role-member = Member
status-active = Active
status-invited = Invited
status-disabled = Disabled
status-locked = Locked
confirm-disable = Disable { $name }?
confirm-enable = Enable { $name }?
confirm-require-change = Require a new password from { $name }?
confirm-unlock = Unlock { $name }?
confirm-sign-out = Sign { $name } out everywhere?
confirm-reset-mfa = Reset two-step sign-in for { $name }?
confirm-make-admin = Make { $name } an administrator?
confirm-make-member = Make { $name } a member?
confirm-resend-invitation = Send { $name } a new invitation code?
consequence-disable = They are signed out at once on every device and can't sign in. Their data and the records they own stay.
consequence-enable = They can sign in again with their password.
consequence-require-change = Their open sessions can do nothing but change the password until they choose a new one.
consequence-unlock = The lock after wrong passwords ends now.
consequence-sign-out = Every session of theirs ends now; they sign in again with their password.
consequence-reset-mfa = Their authenticator and recovery codes stop working; they sign in with the password and set two-step sign-in up again.
consequence-make-admin = They can manage the organisation's people, its password policy and see the audit log.
consequence-make-member = They can no longer manage the organisation.
consequence-resend-invitation = The code sent before stops working.
done-disable = { $name } is disabled.
done-enable = { $name } is enabled again.
done-require-change = { $name } must choose a new password.
done-unlock = { $name } is unlocked.
done-sign-out = { $name } is signed out everywhere.
done-reset-mfa = Two-step sign-in of { $name } is reset.
done-role = The role of { $name } is changed.
done-resend-invitation = A new invitation code went to { $name }.
add-person-title = Add a person
add-person-lead = They get an invitation code by email (or SMS) and choose their own password: you never see it.
add-person-login = Login
add-person-login-placeholder = e.g. lina
add-person-name = Display name
add-person-email = Email
add-person-phone = Phone (optional with an email)
add-person-role = Role
add-person-language = Language of their mail
add-person-invite = Send invitation
add-person-inviting = Sending…
add-person-done = Invitation sent to { $name }.
add-person-taken = Another account already has this.
add-person-too-long = This is too long.
add-person-bad-email = This is not an email address.
add-person-bad-phone = This is not a phone number.
add-person-bad-login = A login is 1–64 characters without spaces or @.
policy-rules = Rules
policy-presets = Start from a preset
policy-preset-relay = Relay default
policy-preset-nist = NIST SP 800-63B
policy-min-length = Shortest password (characters)
policy-max-length = Longest password (characters)
policy-require-letter = At least one letter
policy-require-digit = At least one digit
policy-require-symbol = At least one symbol
policy-min-strength = Strength needed (0–4)
policy-history = Earlier passwords that can't be used again
policy-expiry = Password expiry
policy-expiry-off = Off
policy-expiry-remind = Remind
policy-expiry-enforce = Enforce
policy-max-age = Change every (days)
policy-lockout = Wrong passwords before a lock
policy-blocklist = Common and breached passwords are always refused.
policy-preview = What people will see
policy-preview-lead = Type a password to try the rules: the checklist is the one people see when they choose a password.
policy-preview-placeholder = Try a password
policy-save = Save policy
policy-saved = The policy is saved.
policy-number-needed = Every box needs a whole number.
policy-note = The policy is this organisation's only. Changing it is recorded in the audit log.
policy-floor-min-length = The shortest password must be at least 8 characters (NIST SP 800-63B).
policy-floor-max-length = At least 64 characters must be allowed (NIST SP 800-63B).
policy-floor-lockout = At most 100 wrong passwords may come before a lock (NIST SP 800-63B).
policy-lockout-zero = At least one wrong password must be allowed before a lock.
policy-max-below-min = The longest password can't be shorter than the shortest.
policy-max-too-long = The longest password can be at most 4096 characters.
policy-history-too-long = At most 24 earlier passwords can be remembered.
audit-person = Person
audit-kind = What
audit-any = Anyone / anything
audit-export = Export CSV…
audit-exported = Saved to { $path }.
audit-export-failed = The file could not be written: { $reason }
audit-no-file-dialog = This desktop has no file dialog, so the log can't be saved from here.
audit-when = When
audit-who = Who
audit-what = What
audit-whom = To whom
audit-from = From
audit-organisation = the organisation
audit-command-line = Server command line
audit-empty = Nothing recorded yet.
audit-more = Show older
audit-user_invited = Invited
audit-invitation_resent = Invitation sent again
audit-account_disabled = Disabled
audit-account_enabled = Enabled
audit-password_change_required = New password required
audit-account_unlocked = Unlocked
audit-sessions_revoked = Signed out everywhere
audit-mfa_reset = Two-step reset
audit-role_changed = Role changed
audit-password_policy_changed = Password policy changed
audit-other = Other change
filter-owner = Owner
owner-anyone = Anyone
owner-me = Me
owner-disabled = { $name } (disabled)
owner-unknown = Someone (the list of people loads when online)
owner-none = Nobody
owner-search = Give to… (search by name or login)
owner-reassign = Reassign…
people-reassign = Reassign records…
reassign-title = Reassign the records of { $name }
reassign-lead = Every customer, deal and activity { $name } owns goes to the person you pick: one change per record, saved on this computer and sent with the next sync (it works offline too).
reassign-to = To
reassign-confirm = Reassign
reassign-done = { $count ->
    [one] 1 record now belongs to { $name }.
   *[other] { $count } records now belong to { $name }.
}
reassign-no-data = The records are on this computer only after the workspace has opened: open Customers once, then try again.

## Export and import (list toolbar)
list-export = Export…
list-import = Import…
transfer-field-id = ID
transfer-field-owner-id = Owner ID
transfer-field-customer-id = Customer ID
transfer-field-deal-id = Deal ID
export-title = Export
export-what = What
export-this-list = This list: { $section }, as filtered now ({ $count ->
    [one] { $count } record
   *[other] { $count } records
})
export-everything = Everything on this computer: customers, contacts, deals and activities
export-as = As
export-format-csv = CSV for Excel (UTF-8; several lists come as one file each in a zip)
export-format-json = JSON (every field, for other programs)
export-choose-file = Export to file…
export-no-dialog = No file dialog is available on this desktop. Type where to save the file:
export-save = Save
export-cancel = Cancel
export-close = Close
export-progress = Writing { $done } of { $total } records…
export-done = Exported { $count ->
    [one] { $count } record
   *[other] { $count } records
} to { $path }.
export-failed = Could not save the file: { $reason }
import-title = Import { $section }
import-reading = Reading the file…
import-no-dialog = No file dialog is available on this desktop. Type the path of a CSV file:
import-open = Open
import-file = { $name }: { $encoding }, separated by { $delimiter }, { $rows ->
    [one] { $rows } row
   *[other] { $rows } rows
}
import-delimiter-tab = tabs
import-columns = Columns (guessed from the header; change any that is wrong)
import-skip-column = Don't import
import-needs-name = Choose the column that holds the name.
import-preview = Preview
import-line = Line
import-status = Status
import-has-errors = Errors: skipped (see below)
import-ready = Ready
import-duplicate = Likely duplicate (same name and phone or email as a record here)
import-no-company = Company not found here: imported without one
import-error-line = Line { $line }: { $errors }
import-counts = { $ready } ready · { $errors } with errors (skipped) · { $duplicates } likely duplicates
import-skip-duplicates = Skip likely duplicates
import-start = Import { $count ->
    [one] { $count } row
   *[other] { $count } rows
}
import-progress = Saving { $done } of { $total } rows…
import-done = Imported { $count ->
    [one] { $count } record
   *[other] { $count } records
} into { $section }. They sync with the next round.
import-cancelled = Stopped. { $count ->
    [one] { $count } record was
   *[other] { $count } records were
} imported before Cancel and stay.
import-skipped = { $count ->
    [one] { $count } row was
   *[other] { $count } rows were
} skipped.
import-save-rejected = Save skipped rows as CSV…
import-rejected-saved = Skipped rows saved to { $path }.
import-why-skipped = Why skipped
import-error-unreadable = The file could not be read: { $reason }
import-error-too-large = The file is { $size } MB; at most { $max } MB can be imported at once. Split it into smaller files.
import-error-empty = The file is empty.
import-error-binary = This is not a CSV file (it holds binary data). In Excel, use Save As → CSV.
import-error-encoding = The file's characters could not be read (not UTF-8, UTF-16 or GB18030). Save it again as CSV UTF-8.
import-error-quote = A quote opened on line { $line } is never closed. Nothing was imported.
import-error-after-quote = Line { $line } has text right after a closing quote. Nothing was imported.
import-error-columns = Line { $line } has { $found } columns, but the header has { $expected }. Nothing was imported.
import-error-rows = The file has more than { $max } rows. Split it into smaller files.
import-error-no-rows = The file has a header but no rows.
nav-data = Data
data-title = CRM data on this computer
data-lead = Everything you can see in Relay is kept here, encrypted, and syncs with the server. Export it to use it in Excel or another program.
data-never-synced = Not synced yet.
data-waiting = { $count ->
    [0] No changes waiting to be sent.
    [one] { $count } change waiting to be sent.
   *[other] { $count } changes waiting to be sent.
}
data-export = Export everything…
data-backups = Backups of the team's data are made on the server (ask your administrator); an export is a copy for you.
