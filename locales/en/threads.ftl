# Cohort's interface in English: a thread, editing a reply, and search.

## A post and its replies (templates/post.html)
thread-deleted-title = Deleted post
# The link to the thread's Atom feed; $title is the post's title.
thread-feed-title = Replies to { $title }
# A post fetched from another server; $host is that server's name.
thread-from-instance = from { $host }
thread-removed = [removed by a moderator]
thread-deleted = [deleted]
# $time: when the post was last edited ("5 minutes ago").
thread-edited = edited { $time }
thread-tag-answered-question = answered question
# $warning: the content warning the author wrote.
thread-content-warning = Content warning: { $warning }
# How often the post was shared on other servers.
thread-boosts = { $n ->
    [one] { $n } boost
   *[other] { $n } boosts
}
thread-edit = Edit
thread-delete = Delete
thread-delete-post-confirm = Delete this post? Its replies stay.
thread-delete-reply-confirm = Delete this reply? Its answers stay.
# A link to the post on the server it comes from.
thread-original = Original
thread-answer-heading = Accepted answer
# $time: when the answer was accepted; $person: who accepted it (a link).
thread-answer-accepted = accepted { $time }
thread-answer-accepted-by = accepted { $time } by { $person }
thread-answer-see = See it in the thread
thread-answer-withdraw = Take back the answer
thread-no-answer = This question has no accepted answer yet.
thread-no-answer-hint = Accept the reply that answers it with its “{ thread-accept }” button.
thread-pages-heading = In the knowledge base
thread-make-page = Make a page of this thread
thread-reported = Thank you: your report went to the group's moderators.
thread-mod-tools = Moderator tools
thread-moderate = Moderate:
thread-restore = Restore
thread-lock = Lock
thread-unlock = Unlock
thread-pin = Pin
thread-unpin = Unpin
thread-mod-log = Mod log
thread-replies-heading = Replies
thread-focus = Showing one reply and its answers.
thread-show-all = Show the whole thread
thread-your-reply = Your reply
thread-reply = Reply
thread-locked = This thread is locked: no new replies.
# $login: a link reading "Log in" (nav-login).
thread-login-to-reply = { $login } to reply and vote.
# A reply whose author's instance is not federated with here.
thread-hidden-author = [hidden]
thread-hidden = [hidden: its instance is not federated with here]
thread-accepted = ✓ accepted answer
# A reply's score (may be negative).
thread-points = { $n ->
    [one] { $n } point
   *[other] { $n } points
}
# How many direct answers a reply has.
thread-answers = { $n ->
    [one] { $n } answer
   *[other] { $n } answers
}
thread-permalink = Permalink
thread-accept = Accept as answer
thread-accept-instead = Accept as answer instead
thread-your-answer = Your answer
thread-no-replies = No replies yet.

## Editing a reply (templates/reply_edit.html)
reply-edit-title = Edit reply
reply-edit-body = Reply (markdown)
reply-edit-save = Save
reply-edit-cancel = Cancel

## Search (templates/search.html, src/http/web/search.rs)
search-for = Search for
search-button = Search
search-filters = Filters
search-group = Group
search-kind = Kind
search-kind-any = anything
search-kind-post = post
search-kind-question = question
search-kind-answered = answered
search-kind-unanswered = unanswered
search-kind-discussion = discussion
search-kind-reply = reply
search-kind-page = page
search-instance = Instance
search-author = Author
search-from = From
search-until = Until
# Placeholders: a group or a person here ("name") or elsewhere ("name@host"); an instance.
search-name-placeholder = name or name@host
search-instance-placeholder = example.org
# The example of a phrase in quotes, in the help below.
search-help-phrase = "a phrase"
# $phrase: search-help-phrase; $code: a code word; $person and $group: example handles.
search-help = Words in posts, replies and groups' pages known here (all of them must match; { $phrase } in quotes; code words such as { $code } are found exactly); or a handle ({ $person }, { $group }) or an address to look it up on its instance.
# The same, for someone not logged in.
search-help-visitor = Words in posts, replies and groups' pages known here (all of them must match; { $phrase } in quotes; code words such as { $code } are found exactly); or a handle ({ $person }, { $group }) or an address to look it up on its instance (after logging in).
search-hits = Posts, replies and pages
search-nothing = Nothing matches.
search-more = More results
search-login-to-look-up = Log in to look things up on other instances.
search-not-found = Nothing was found at that handle or address.
search-upstream = That instance did not answer; try again later.
