# Cohort's interface in English: the knowledge base, a group's pages (reading one, its
# history and diffs, editing it, writing a new one, and edits sent to a group elsewhere).

## A page (templates/page.html)
page-knowledge-base = knowledge base
# $n is the revision's number, $when its time ("3 days ago").
page-revision-when = revision { $n }, { $when }
page-removed = removed by a moderator
page-reported = Thank you: your report went to the group's moderators.
page-conflict-heading = Saved by someone else meanwhile
# $base: the revision the edit was made on; $current: the page's newest; $from: where the
# changes shown below start.
page-conflict = Your edit was made on revision { $base }; the page is at revision { $current } now. Nothing of yours was lost: your text is in the form below. Here is what changed since revision { $from }; bring your changes into the newest text and save again.
page-diff-heading = Changes from revision { $from } to { $to }
# Before the old and the new title of a page.
page-diff-title = Title:
page-edit-heading = Edit
# $link is page-link-syntax, shown as code.
page-edit-body = Text (markdown; { $link } links to another page of the group)
page-link-syntax = [[slug]]
page-edit-summary = What you changed (optional)
page-save = Save
page-history = History
page-history-revision = Revision { $n }
# The author of a revision, when not known.
page-history-someone = someone
page-history-removed = text removed by a moderator
page-history-restore = Restore its text
page-history-remove = Remove its text
page-history-changes = changes
page-history-compare = compare with the newest

## A new page (templates/page_new.html)
page-new-title = New page
page-new-heading = A new page
page-new-slug = Address (optional: made from the title)
# $link is page-new-slug-syntax, shown as code.
page-new-slug-help = Lowercase letters and digits, words joined by hyphens; other pages link to it as { $link }.
page-new-slug-syntax = [[address]]
page-new-body = Text (markdown)
page-new-summary = Summary (optional)

## Edits sent to a group hosted elsewhere (templates/page_proposals.html, page_sent.html)
page-proposals-heading = Your edits sent to the group
page-proposals-intro = { $group } is hosted on another instance, which keeps its pages: an edit is saved there, and shows here once the group announces it.
# $when is a time ("3 days ago"); $n the revision the edit was made on.
page-proposal-edit = { $when }, on revision { $n }:
page-proposal-new = { $when }, a new page:
page-proposal-refused-by = refused by the group
# $refused is page-proposal-refused-by (in bold); $reason the group's reason.
page-proposal-refused = { $refused }: { $reason }. Nothing you wrote is lost:
page-proposal-your-text = Your text
page-proposal-your-text-sent = Your text, as sent
page-proposal-waiting = waiting for the group's answer
page-sent-heading = A new page, sent to the group
# A group's reason for refusing an edit, when it sent only a code.
page-refusal-edit_conflict = the page was saved since the revision your edit was made on
page-refusal-conflict = the page was saved since the revision your edit was made on
page-refusal-forbidden = you may not edit this page
page-refusal-banned = you are banned from the group
page-refusal-locked = the page is locked
page-refusal-deleted = the page was deleted
page-refusal-name_taken = another page has that address
page-refusal-taken = another page has that address
page-refusal-invalid = the edit is not valid
page-refusal-not_found = the page was not found
page-refusal-unchanged = the page already reads like this edit
