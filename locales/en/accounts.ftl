# Cohort's interface in English: accounts (signing up and in, settings), the home page,
# notifications and people's pages.

## Shared by the log-in and sign-up forms
account-username = Username
account-password = Password

## Logging in (templates/login.html)
# $signup: a link to the sign-up page (its text is nav-signup).
login-new-here = New here? { $signup }.

## Signing up (templates/signup.html)
signup-closed = This instance does not accept sign-ups.
signup-correct-field = Please correct the field marked below.
# $domain: this instance's domain.
signup-username-help = 3 to 32 lowercase letters, digits or _. You will be @name@{ $domain }.
signup-password-help = At least 8 characters.
signup-email = E-mail address
# $domains: the accepted e-mail domains, separated by commas.
signup-email-help = Sign-up here needs an address at { $domains }.
signup-application-help = An administrator reads this and approves your account.
signup-invite = Invitation code
signup-submit = Create account
# $login: a link to the log-in page (its text is nav-login).
signup-have-account = Already have an account? { $login }.
# Shown on the log-in page after applying on an instance where sign-ups need approval.
signup-approval-notice = Thank you. An administrator will read your application; you can log in once it is approved.

## Settings (templates/settings.html)
settings-heading = Account settings
settings-account = Your account
settings-handle = Handle
settings-profile = Profile
settings-member-since = Member since
settings-display-name = Display name
# $username: the person's username.
settings-display-name-help = Shown instead of your username, here and on other instances (when they next look you up). Leave empty to show @{ $username }.
settings-save = Save
settings-language = Language
settings-language-label = Language of the pages
settings-language-browser = As my browser asks
settings-password = Change password
settings-current-password = Current password
settings-current-wrong = The current password is not right.
settings-new-password = New password
settings-new-password-help = At least 8 characters. Every other browser and app signed in to this account is signed out.
settings-saved = Saved.
settings-password-changed = Your password was changed; other sessions were signed out.

## The home page (templates/home.html)
home-title = Home
home-recent-mine = Recent activity in your groups
# $n: how many notifications are unread.
home-unread-count = { $n ->
    [one] { $n } new notification
   *[other] { $n } new notifications
}
# $notifications: a link whose text is home-unread-count.
home-unread = { $notifications }: replies to you and mentions of you.
home-find-group = Find a group to join
# $find: a link whose text is home-find-group.
home-empty = Nothing here yet. { $find }, here or on another instance.
home-your-groups = Your groups
home-pending = waiting for approval
home-no-groups = You have not joined any group yet.
home-browse-groups = Browse groups
home-start-group = Start a group
home-waiting = Questions waiting for an answer
home-welcome-title = Learn together, across organisations
# $domain: this instance's domain, in bold.
home-welcome = This is { $domain }, a Cohort instance. Its groups talk to groups on other instances (and to Mastodon, Lemmy and others), so you can ask, answer and discuss with people wherever they are.
home-recent = Recent activity
home-no-posts = No posts yet.

## Notifications (templates/notifications.html)
notifications-help = Replies to your posts and replies, posts or replies that mention you, and reminders of your questions still without an accepted answer.
notifications-new = new
notifications-tag-reply = reply
notifications-tag-mention = mention
# $person: who wrote; $post: a link to the thread; $group: a link to its group.
notifications-replied = { $person } replied on { $post } in { $group }
notifications-mentioned-reply = { $person } mentioned you on { $post } in { $group }
notifications-mentioned-post = { $person } mentioned you in { $post } in { $group }
# $post: a link to the question; $group: its group; $n: how many replies it has.
notifications-nudge = Your question { $post } in { $group } has no accepted answer yet ({ $n ->
    [one] { $n } reply
   *[other] { $n } replies
}). If a reply answered it, accept it, so others find it.
notifications-none = Nothing yet. When someone answers you or mentions you, it shows here.

## A person's page (templates/person.html)
# $name: the person's display name or username.
person-feed-title = Posts by { $name }
# $host: the instance the person is on.
person-on-host = on { $host }
person-view-on = View on { $host }
person-posts = Posts
person-no-posts = No posts known here.
person-replies = Replies
# $post: a link to the thread; $group: a link to its group.
person-reply-on = On { $post } in { $group }
person-no-replies = No replies known here.
person-answers = Accepted answers
person-accepted = accepted
person-answer-on = on { $post } in { $group }
person-no-answers = No accepted answers known here.
settings-avatar = Avatar
settings-avatar-current = The picture now
settings-avatar-help = A picture shown beside your name, here and on other servers (JPEG, PNG, GIF or WebP; its metadata is removed).
settings-avatar-save = Upload
settings-avatar-remove = Remove
