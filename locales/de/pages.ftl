# Cohorts Oberfläche auf Deutsch: die Wissensdatenbank, die Seiten einer Gruppe (eine Seite
# lesen, ihre Geschichte und Unterschiede, sie bearbeiten, eine neue schreiben, und
# Bearbeitungen, die an eine Gruppe anderswo geschickt wurden).

## Eine Seite (templates/page.html)
page-knowledge-base = Wissensdatenbank
page-revision-when = Fassung { $n }, { $when }
page-removed = von der Moderation entfernt
page-reported = Danke: Deine Meldung ist bei der Moderation der Gruppe angekommen.
page-conflict-heading = Inzwischen von jemand anderem gespeichert
page-conflict = Deine Bearbeitung beruht auf Fassung { $base }; die Seite ist jetzt bei Fassung { $current }. Nichts von dir ist verloren: Dein Text steht im Formular unten. Hier siehst du, was sich seit Fassung { $from } geändert hat; übertrage deine Änderungen in den neuesten Text und speichere noch einmal.
page-diff-heading = Änderungen zwischen Fassung { $from } und { $to }
page-diff-title = Titel:
page-edit-heading = Bearbeiten
page-edit-body = Text (Markdown; { $link } verlinkt eine andere Seite der Gruppe)
page-link-syntax = [[adresse]]
page-edit-summary = Was du geändert hast (freiwillig)
page-save = Speichern
page-history = Verlauf
page-history-revision = Fassung { $n }
page-history-someone = jemand
page-history-removed = Text von der Moderation entfernt
page-history-restore = Text wiederherstellen
page-history-remove = Text entfernen
page-history-changes = Änderungen
page-history-compare = mit der neuesten vergleichen

## Eine neue Seite (templates/page_new.html)
page-new-title = Neue Seite
page-new-heading = Eine neue Seite
page-new-slug = Adresse (freiwillig: wird aus dem Titel gebildet)
page-new-slug-help = Kleinbuchstaben und Ziffern, Wörter mit Bindestrichen verbunden; andere Seiten verlinken sie als { $link }.
page-new-slug-syntax = [[adresse]]
page-new-body = Text (Markdown)
page-new-summary = Zusammenfassung (freiwillig)

## An eine Gruppe anderswo geschickte Bearbeitungen (templates/page_proposals.html, page_sent.html)
page-proposals-heading = Deine an die Gruppe geschickten Bearbeitungen
page-proposals-intro = { $group } ist auf einer anderen Instanz zu Hause, die ihre Seiten verwaltet: Eine Bearbeitung wird dort gespeichert und erscheint hier, sobald die Gruppe sie bekannt gibt.
page-proposal-edit = { $when }, auf Fassung { $n }:
page-proposal-new = { $when }, eine neue Seite:
page-proposal-refused-by = von der Gruppe abgelehnt
page-proposal-refused = { $refused }: { $reason }. Nichts, was du geschrieben hast, ist verloren:
page-proposal-your-text = Dein Text
page-proposal-your-text-sent = Dein Text, wie er geschickt wurde
page-proposal-waiting = wartet auf die Antwort der Gruppe
page-sent-heading = Eine neue Seite, an die Gruppe geschickt
page-refusal-edit_conflict = die Seite wurde seit der Fassung gespeichert, auf der deine Bearbeitung beruht
page-refusal-conflict = die Seite wurde seit der Fassung gespeichert, auf der deine Bearbeitung beruht
page-refusal-forbidden = du darfst diese Seite nicht bearbeiten
page-refusal-banned = du bist aus der Gruppe ausgeschlossen
page-refusal-locked = die Seite ist gesperrt
page-refusal-deleted = die Seite wurde gelöscht
page-refusal-name_taken = eine andere Seite hat diese Adresse
page-refusal-taken = eine andere Seite hat diese Adresse
page-refusal-invalid = die Bearbeitung ist ungültig
page-refusal-not_found = die Seite wurde nicht gefunden
page-refusal-unchanged = die Seite lautet schon so wie diese Bearbeitung
