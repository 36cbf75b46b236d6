### E-mail: what Cohort mails, and the pages its links open.

## The mails

mail-greeting = Hello { $name },
mail-footer = This mail comes from { $instance }.
mail-settings = Choose which mails you get: { $url }
mail-unsubscribe = Stop these mails with one click: { $url }
mail-verify-subject = Confirm your address for { $instance }
mail-verify-body = Someone, hopefully you, gave this address for the account { $username } on { $instance }. Open this link to confirm it:
mail-verify-expiry = The link works for { $hours } hours. If it was not you, ignore this mail.
mail-verify-button = Confirm my address
mail-reset-subject = Reset your password on { $instance }
mail-reset-body = Someone asked to reset the password of { $username } on { $instance }. Open this link to choose a new one:
mail-reset-expiry = The link works once, for { $minutes } minutes. If you did not ask, ignore this mail: your password stays as it is.
mail-reset-button = Choose a new password
mail-notice-reply = { $who } replied in “{ $title }”
mail-notice-mention = { $who } mentioned you in “{ $title }”
mail-notice-accepted = Your answer in “{ $title }” was accepted
mail-notices-subject-many = { $count } new replies and mentions on { $instance }
mail-notices-intro = Here is what happened since your last mail:
mail-notices-open = Open the thread
mail-digest-subject = Your week on { $instance }
mail-digest-intro = What happened in your groups this week.
mail-digest-waiting = Questions still waiting for an answer
mail-digest-pages = New and changed knowledge-base pages
mail-digest-helpful = The most helpful threads
mail-digest-in = in { $group }

## The pages

login-forgot = Forgot your password?
forgot-heading = Forgot your password?
forgot-intro = Give your account name or your e-mail address. If the account has an address, we mail it a link to choose a new password.
forgot-label = Account name or e-mail address
forgot-submit = Send the link
forgot-sent = If an account here has that name or address, a link to choose a new password is on its way. It works for { $minutes } minutes.
forgot-no-mail = This instance sends no e-mail. Ask its administrator to reset your password.
reset-heading = Choose a new password
reset-submit = Save the new password
reset-invalid = This link is unknown, used or expired. Ask for a new one.
reset-done = Your password was changed, and every other sign-in ended. Sign in with the new one.
verify-heading = Your e-mail address
verify-done = Your address { $email } is confirmed.
verify-invalid = This link is unknown, used or expired. Sign in to have a new one sent.
verify-sent = We sent a link to { $email }. Open it to confirm your address, then sign in.
verify-resend = Send the link again
verify-resent = If that account waits for its address to be confirmed, a new link is on its way.
unsubscribe-heading = Stop mails
unsubscribe-notices = Stop the mails about replies, mentions and accepted answers for { $username }?
unsubscribe-digest = Stop the weekly digest for { $username }?
unsubscribe-submit = Stop these mails
unsubscribe-done = Done: { $username } gets no more of these mails. Settings can turn them back on.
unsubscribe-invalid = This link is unknown. Sign in and change your mails in the settings.
settings-mail = E-mail
settings-email-label = Address
settings-email-unconfirmed = Not confirmed yet: we mailed a link to it.
settings-email-confirmed = Confirmed.
settings-email-failed = The last mail to this address could not be delivered: give it again to confirm it.
settings-notices-label = Replies, mentions and accepted answers
settings-notices-immediately = By mail, at once
settings-notices-daily = In one mail a day
settings-notices-never = Not by mail
settings-digest-label = The weekly digest: questions waiting, new pages, helpful threads
settings-mail-off = This instance sends no e-mail.

## Single sign-on

login-with = Log in with { $name }
sso-name-heading = Choose your name
sso-name-intro = Your organisation confirmed who you are. Choose the name people here will know you by.
sso-name-submit = Create my account
