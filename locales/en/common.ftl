# Cohort's interface in English: what every page shares (the frame, times, errors, and the
# pieces in templates/macros.html). Keys are grouped by where they appear.

## The frame (templates/base.html)
site-skip = Skip to content
site-nav = Site
nav-groups = Groups
nav-search = Search
nav-notifications = Notifications
nav-settings = Settings
nav-health = Health
nav-logout = Log out
nav-login = Log in
nav-signup = Sign up
site-footer = a federated community server
site-footer-api = API

## Times and dates
ago-now = just now
ago-minutes = { $n ->
    [one] { $n } minute ago
   *[other] { $n } minutes ago
}
ago-hours = { $n ->
    [one] { $n } hour ago
   *[other] { $n } hours ago
}
ago-days = { $n ->
    [one] { $n } day ago
   *[other] { $n } days ago
}
# How long something has lasted (a question waiting for an answer).
duration-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
duration-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
# A date: $day, $month (a month-N message) and $year.
date = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Errors: an error page's heading by HTTP status, then a sentence by error code
error-title-400 = That did not work
error-title-401 = Please log in
error-title-403 = Not allowed
error-title-404 = Not found
error-title-409 = That cannot be done now
error-title-413 = Too large
error-title-429 = Slow down
error-title-500 = Something went wrong
error-title-502 = Another server did not answer
error-home = Go to the home page
error-invalid_input = Please check what you entered.
error-bad_request = The request could not be read.
error-unauthenticated = Please log in first.
error-bad_credentials = The username or the password is wrong.
error-bad_signature = The signature of the request did not verify.
error-upstream_unavailable = Another server did not answer; try again later.
error-rate_limited = Too many tries in a short time; wait a moment and try again.
error-not_found = There is nothing here, or you may not see it.
error-payload_too_large = What you sent is too large.
error-unsupported_media_type = This kind of content is not accepted here.
error-internal = Something went wrong on our side. It has been logged.
error-other = That did not work.
error-forbidden = You may not do that.
error-registration_closed = Sign-up is closed on this instance.
error-pending_approval = Your application is waiting for an administrator's approval.
error-email_unverified = Your e-mail address is not confirmed yet: open the link we mailed you, or have it sent again.
error-mail_unavailable = This instance sends no e-mail. Ask its administrator.
error-sso_refused = Signing in through your organisation's provider did not work.
error-members_only = This group is members-only: only its approved members read and write in it.
error-banned = You are banned here.
error-instance_blocked = This instance does not federate with that one.
error-instance_not_allowed = This instance federates only with the instances it allows, and that one is not among them.
error-csrf = The form had expired. Reload the page and send it again.
error-name_taken = That name is taken.
error-deleted = That was deleted.
error-locked = That is locked: no more changes can be made.
error-not_removed = That was not removed.
error-is_moderator = That person is already a moderator.
error-last_moderator = A group needs at least one moderator.
error-is_banned = That person is banned from the group.
error-not_a_question = That post is not a question.
error-not_in_thread = That reply is not in this thread.
error-edit_conflict = Someone saved a newer version while you were editing.
error-invalid_activity = That activity is not valid.
error-invalid_actor = That actor is not valid.
error-invalid_object = That object is not valid.
error-not_public = That is not public.
error-object_deleted = That was deleted where it lives.
error-unsupported_object = That kind of object is not supported.
error-url_refused = That address is not allowed.
error-fetch_failed = That could not be fetched from its server.
error-fetch_limit = Too many fetches from other servers for now; try again later.
error-media_refused = This file cannot be taken: it must be a still picture (JPEG, PNG, GIF or WebP) within the size limits, or an allowed document.
error-quota_exceeded = There is no room for this upload: delete some of your uploads, or ask the administrators.

## Shared pieces (templates/macros.html)
person-deleted = [deleted]
on-another-instance = on another instance
vote-up = Upvote
vote-down = Downvote
vote-score = score
tag-answered = answered
tag-question = question
tag-pinned = pinned
tag-locked = locked
tag-accepted-answer = accepted answer
in-group = in { $group }
by-person = by { $person }
reply-count = { $n ->
    [one] { $n } reply
   *[other] { $n } replies
}
report = Report
report-why = Why should the moderators look at this?
report-send = Send the report
waiting-for = waiting { $time }
waiting-none = None: every question has an accepted answer.
hit-reply-in = Reply in:
hit-page = Page:
group-title = Title
group-about = About the group (markdown)
group-rules = Rules (markdown, optional)
group-rules-help = Shown beside the group's posts, for members and moderators alike.

## The language of what someone writes (templates/macros.html)
language-of-text = Language it is written in
language-not-said = Not said

## Feeds, the installed app and its offline page
feed-waiting = { $group }: questions waiting for an answer
feed-person = Posts by { $person }
feed-thread = Replies to { $title }
feed-replied = { $person } replied
feed-warning = Content warning: { $warning }. Open the post to read it.
app-description = Groups that learn together, across organisations.
offline-title = Offline
offline-heading = You are offline
offline-text = This page could not be loaded: there is no connection to the server. Your posts and replies are safe there.
offline-retry = Try again
