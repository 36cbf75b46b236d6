# Cohorts Oberfläche auf Deutsch: eine Diskussion, eine Antwort bearbeiten, die Suche.

## Ein Beitrag und seine Antworten (templates/post.html)
thread-deleted-title = Gelöschter Beitrag
thread-feed-title = Antworten auf { $title }
thread-from-instance = von { $host }
thread-removed = [von der Moderation entfernt]
thread-deleted = [gelöscht]
thread-edited = bearbeitet { $time }
thread-tag-answered-question = beantwortete Frage
thread-content-warning = Inhaltswarnung: { $warning }
thread-boosts = { $n }-mal geteilt
thread-edit = Bearbeiten
thread-delete = Löschen
thread-delete-post-confirm = Diesen Beitrag löschen? Seine Antworten bleiben erhalten.
thread-delete-reply-confirm = Diese Antwort löschen? Die Antworten darauf bleiben erhalten.
thread-original = Original
thread-answer-heading = Akzeptierte Antwort
thread-answer-accepted = akzeptiert { $time }
thread-answer-accepted-by = akzeptiert { $time } von { $person }
thread-answer-see = In der Diskussion ansehen
thread-answer-withdraw = Antwort zurücknehmen
thread-no-answer = Diese Frage hat noch keine akzeptierte Antwort.
thread-no-answer-hint = Akzeptiere die Antwort, die sie beantwortet, mit ihrem Knopf „{ thread-accept }“.
thread-pages-heading = In der Wissensdatenbank
thread-make-page = Eine Seite aus dieser Diskussion machen
thread-reported = Danke: Deine Meldung ist an die Moderation der Gruppe gegangen.
thread-mod-tools = Moderationswerkzeuge
thread-moderate = Moderieren:
thread-restore = Wiederherstellen
thread-lock = Sperren
thread-unlock = Entsperren
thread-pin = Anheften
thread-unpin = Nicht mehr anheften
thread-mod-log = Moderationsprotokoll
thread-replies-heading = Antworten
thread-focus = Du siehst eine Antwort und die Antworten darauf.
thread-show-all = Die ganze Diskussion zeigen
thread-your-reply = Deine Antwort
thread-reply = Antworten
thread-locked = Diese Diskussion ist gesperrt: keine neuen Antworten.
thread-login-to-reply = { $login }, um zu antworten und abzustimmen.
thread-hidden-author = [verborgen]
thread-hidden = [verborgen: die Instanz ist mit dieser nicht föderiert]
thread-accepted = ✓ akzeptierte Antwort
thread-points = { $n ->
    [one] { $n } Punkt
   *[other] { $n } Punkte
}
thread-answers = { $n ->
    [one] { $n } Antwort
   *[other] { $n } Antworten
}
thread-permalink = Permalink
thread-accept = Als Antwort akzeptieren
thread-accept-instead = Stattdessen als Antwort akzeptieren
thread-your-answer = Deine Antwort
thread-no-replies = Noch keine Antworten.

## Eine Antwort bearbeiten (templates/reply_edit.html)
reply-edit-title = Antwort bearbeiten
reply-edit-body = Antwort (Markdown)
reply-edit-save = Speichern
reply-edit-cancel = Abbrechen

## Suche (templates/search.html, src/http/web/search.rs)
search-for = Suchen nach
search-button = Suchen
search-filters = Filter
search-group = Gruppe
search-kind = Art
search-kind-any = alles
search-kind-post = Beitrag
search-kind-question = Frage
search-kind-answered = beantwortet
search-kind-unanswered = unbeantwortet
search-kind-discussion = Diskussion
search-kind-reply = Antwort
search-kind-page = Seite
search-instance = Instanz
search-author = Autor·in
search-from = Von
search-until = Bis
search-name-placeholder = Name oder Name@Host
search-instance-placeholder = example.org
search-help-phrase = "eine Wortgruppe"
search-help = Wörter in Beiträgen, Antworten und Seiten der Gruppen, die hier bekannt sind (alle müssen vorkommen; { $phrase } in Anführungszeichen; Code-Wörter wie { $code } werden genau gefunden); oder ein Handle ({ $person }, { $group }) oder eine Adresse, um sie auf ihrer Instanz nachzuschlagen.
search-help-visitor = Wörter in Beiträgen, Antworten und Seiten der Gruppen, die hier bekannt sind (alle müssen vorkommen; { $phrase } in Anführungszeichen; Code-Wörter wie { $code } werden genau gefunden); oder ein Handle ({ $person }, { $group }) oder eine Adresse, um sie auf ihrer Instanz nachzuschlagen (nach der Anmeldung).
search-hits = Beiträge, Antworten und Seiten
search-nothing = Nichts gefunden.
search-more = Weitere Ergebnisse
search-login-to-look-up = Melde dich an, um auf anderen Instanzen nachzuschlagen.
search-not-found = Unter diesem Handle oder dieser Adresse wurde nichts gefunden.
search-upstream = Diese Instanz hat nicht geantwortet; versuche es später noch einmal.
