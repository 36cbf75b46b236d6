# Cohort's interface in English: groups (the directory, a group's page, starting and editing
# a group), the mod log, and writing a post.

## The directory (templates/groups.html)
groups-directory = Directory
groups-find = Find a group
groups-find-placeholder = name or title
groups-search = Search
groups-matching = Groups matching “{ $q }”.
groups-show-all = Show all
groups-none-match = No groups match.
groups-none-yet = No groups yet.
groups-more = More groups
groups-join-elsewhere = Join a group on another instance
groups-join-handle = Group handle or address
groups-join-handle-placeholder = !group@example.org
# $handle and $address are examples of a handle.
groups-join-handle-help = For example { $handle }, { $address } or the group's web address.
# $login is a link reading nav-login ("Log in").
groups-log-in-to-join = { $login } to join groups here or elsewhere.
groups-new-group = New group
# Joining by handle failed.
groups-join-not-a-group = That address is not a group.
groups-join-not-found = No group was found at that handle or address.
groups-join-upstream = That instance did not answer; try again later.

## A group's page (templates/group.html)
# The titles of the group's feeds.
group-feed-posts = { $group }: new posts
group-feed-waiting = { $group }: questions waiting for an answer
# A group hosted elsewhere: $host is its instance.
group-on-host = on { $host }
group-join = Join
group-leave = Leave
group-join-pending = Join requested, waiting for { $host }
group-new-post = New post
group-log-in-to-post = Log in to join and post
group-posts = Posts
group-sort-posts = Sort posts
# The orders posts are listed in.
group-sort-hot = Hot
group-sort-new = New
group-sort-active = Active
group-sort-top = Top
group-questions = Questions
group-filter-every-post = Every post
group-filter-all = All questions ({ $n })
group-filter-unanswered = Unanswered ({ $n })
group-filter-answered = Answered ({ $n })
group-no-posts = No posts yet.
group-write-first = Write the first one.
group-older-posts = Older posts
group-about-heading = About
group-no-description = No description.
group-members = { $n ->
    [one] { $n } member here
   *[other] { $n } members here
}
# A group hosted elsewhere: its members on this instance.
group-members-following = { $n ->
    [one] { $n } member here (following from this instance)
   *[other] { $n } members here (following from this instance)
}
# $when is a time ("3 days ago").
group-created = created { $when }
group-view-on = View on { $host }
group-pinned = Pinned
group-knowledge-base = Knowledge base
group-page-removed = (removed)
group-no-pages = No pages yet.
group-write-page = Write a page
group-waiting = Questions waiting for an answer
group-qa-mode-help = This group is in Q&A mode: every post is a question.
group-rules-heading = Rules
group-moderators = Moderators
group-moderators-none = None.
group-moderators-elsewhere = Listed on { $host }.
group-feed = Feed
group-edit-heading = Edit the group

## Starting a group (templates/group_new.html)
group-new-heading = Start a group
group-new-name = Name
group-new-name-help = 3 to 32 lowercase letters, digits or _. The group will be !name@{ $domain }.
group-new-create = Create group

## Editing a group (templates/group_edit.html)
group-edit-title = Edit { $group }
group-edit-qa-mode = Q&A mode
group-edit-qa-mode-help = Every new post is a question, and one reply can be accepted as its answer. Posts written before keep their kind.
group-save = Save

## The mod log (templates/modlog.html)
modlog-title = Mod log
modlog-intro = Every action of this group's moderators, newest first.
modlog-intro-remote = Every action of this group's moderators that reached this instance, newest first.
# Who acted, when the moderator is not known.
modlog-a-moderator = a moderator
# An entry: $moderator (a person, or modlog-a-moderator) did it; $person is who it concerned
# (the author of what was removed or restored, the banned, the new or former moderator).
modlog-action-remove_post = { $moderator } removed a post by { $person }
modlog-action-restore_post = { $moderator } restored a post by { $person }
modlog-action-remove_reply = { $moderator } removed a reply by { $person }
modlog-action-restore_reply = { $moderator } restored a reply by { $person }
modlog-action-lock = { $moderator } locked a thread
modlog-action-unlock = { $moderator } unlocked a thread
modlog-action-pin = { $moderator } pinned a thread
modlog-action-unpin = { $moderator } unpinned a thread
modlog-action-ban = { $moderator } banned { $person }
modlog-action-unban = { $moderator } lifted the ban on { $person }
modlog-action-add_moderator = { $moderator } made a moderator: { $person }
modlog-action-remove_moderator = { $moderator } took off the moderators: { $person }
modlog-the-thread = the thread
# When a ban ends.
modlog-until = until { $time }
modlog-reason = Reason: { $reason }
modlog-older = Older entries
modlog-none = No moderator actions yet.

## Writing a post (templates/compose.html)
compose-edit-post = Edit post
compose-in-group = In { $group }
compose-preview = Preview
compose-similar-heading = Answered questions and pages like yours
compose-similar-none = No answered question or page looks like this one yet.
compose-similar = Similar questions
compose-similar-help = Questions already answered here, and this group's pages, that look like your title (your draft is kept).
compose-qa-mode = This group is in Q&A mode: every post is a question, and one reply can be accepted as its answer.
compose-kind = This post is
compose-kind-discussion = a discussion
compose-kind-question = a question (you can accept one reply as its answer)
compose-body = Body (markdown, optional)
compose-body-help = Markdown: **bold**, *italic*, [link](https://…), `code`, lists, > quotes. Mention people as @name or @name@instance.
compose-attach-legend = Add a picture or file
compose-attach-file = Picture or PDF
compose-attach-alt = Describe the picture for people who cannot see it (alt text)
compose-attach-help = JPEG, PNG, GIF or WebP pictures (their metadata, such as the place a photo was taken, is removed) or a PDF. It goes in at the end of the text, where you can move it.
compose-attach = Attach
compose-post = Post
compose-cancel = Cancel

# A members-only group: only its approved members read it.
group-members-only = Members only
group-members-only-help = Only this group's approved members read its posts, replies and pages. Ask to join, and a moderator decides; or open an invitation link a moderator gave you.
group-ask-to-join = Ask to join
group-join-asked = Asked to join; a moderator decides
group-requests-waiting = { $n ->
    [one] { $n } request to join waits
   *[other] { $n } requests to join wait
}
group-create-members-only = Members only: only approved members read it (chosen now; it cannot change once there are posts)
members-title = Members
members-list = Members
members-none = No members yet.
members-requests = Requests to join
members-no-requests = Nobody is waiting.
members-approve = Approve
members-refuse = Refuse
members-new-instance = first member on { $host }
members-new-instance-help = Approving the first member of another instance sends this group's posts to that server, whose administrators can read them. Cohort keeps them for members there; other software may show them to everyone (PieFed does) or refuse them (Lemmy 0.19 does).
members-invites = Invitation links
members-invite-made = Here is the new link. Copy it now: it is not shown again.
members-invite-link = Invitation link
members-invite-line = Used { $uses ->
    [one] once
   *[other] { $uses } times
}, works until { $until }
members-revoke = Revoke
members-invite-days = Works for (days)
members-invite-create = Make a link
invitation-title = Invitation to { $group }
invitation-accept = Join the group
invitation-log-in = Log in to join
group-edit-icon = Icon
group-edit-icon-help = A square picture shown beside the group's name, here and on other servers.
group-edit-banner = Banner
group-edit-banner-help = A wide picture at the top of the group's page.
