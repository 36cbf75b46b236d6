# Cohorts Oberfläche auf Deutsch: Gruppen (Verzeichnis, Seite einer Gruppe, Gruppe gründen und
# bearbeiten), das Moderationsprotokoll und das Schreiben eines Beitrags.

## Das Verzeichnis (templates/groups.html)
groups-directory = Verzeichnis
groups-find = Gruppe finden
groups-find-placeholder = Name oder Titel
groups-search = Suchen
groups-matching = Gruppen zu „{ $q }“.
groups-show-all = Alle zeigen
groups-none-match = Keine Gruppe passt.
groups-none-yet = Noch keine Gruppen.
groups-more = Weitere Gruppen
groups-join-elsewhere = Einer Gruppe auf einer anderen Instanz beitreten
groups-join-handle = Handle oder Adresse der Gruppe
groups-join-handle-placeholder = !gruppe@example.org
groups-join-handle-help = Zum Beispiel { $handle }, { $address } oder die Webadresse der Gruppe.
groups-log-in-to-join = { $login }, um hier oder anderswo Gruppen beizutreten.
groups-new-group = Neue Gruppe
groups-join-not-a-group = Diese Adresse ist keine Gruppe.
groups-join-not-found = Unter diesem Handle oder dieser Adresse wurde keine Gruppe gefunden.
groups-join-upstream = Diese Instanz hat nicht geantwortet; versuche es später noch einmal.

## Die Seite einer Gruppe (templates/group.html)
group-feed-posts = { $group }: neue Beiträge
group-feed-waiting = { $group }: Fragen, die auf eine Antwort warten
group-on-host = auf { $host }
group-join = Beitreten
group-leave = Verlassen
group-join-pending = Beitritt angefragt, wartet auf { $host }
group-new-post = Neuer Beitrag
group-log-in-to-post = Melde dich an, um beizutreten und zu schreiben
group-posts = Beiträge
group-sort-posts = Beiträge sortieren
group-sort-hot = Angesagt
group-sort-new = Neu
group-sort-active = Aktiv
group-sort-top = Beste
group-questions = Fragen
group-filter-every-post = Alle Beiträge
group-filter-all = Alle Fragen ({ $n })
group-filter-unanswered = Unbeantwortet ({ $n })
group-filter-answered = Beantwortet ({ $n })
group-no-posts = Noch keine Beiträge.
group-write-first = Schreib den ersten.
group-older-posts = Ältere Beiträge
group-about-heading = Über die Gruppe
group-no-description = Keine Beschreibung.
group-members = { $n ->
    [one] { $n } Mitglied hier
   *[other] { $n } Mitglieder hier
}
group-members-following = { $n ->
    [one] { $n } Mitglied hier (folgt von dieser Instanz aus)
   *[other] { $n } Mitglieder hier (folgen von dieser Instanz aus)
}
group-created = gegründet { $when }
group-view-on = Auf { $host } ansehen
group-pinned = Angeheftet
group-knowledge-base = Wissensdatenbank
group-page-removed = (entfernt)
group-no-pages = Noch keine Seiten.
group-write-page = Eine Seite schreiben
group-waiting = Fragen, die auf eine Antwort warten
group-qa-mode-help = Diese Gruppe ist im Frage-Antwort-Modus: Jeder Beitrag ist eine Frage.
group-rules-heading = Regeln
group-moderators = Moderation
group-moderators-none = Niemand.
group-moderators-elsewhere = Auf { $host } aufgeführt.
group-feed = Feed
group-edit-heading = Gruppe bearbeiten

## Eine Gruppe gründen (templates/group_new.html)
group-new-heading = Eine Gruppe gründen
group-new-name = Name
group-new-name-help = 3 bis 32 Kleinbuchstaben, Ziffern oder _. Die Gruppe heißt dann !name@{ $domain }.
group-new-create = Gruppe gründen

## Eine Gruppe bearbeiten (templates/group_edit.html)
group-edit-title = { $group } bearbeiten
group-edit-qa-mode = Frage-Antwort-Modus
group-edit-qa-mode-help = Jeder neue Beitrag ist eine Frage, und eine Antwort kann als ihre Lösung akzeptiert werden. Schon geschriebene Beiträge behalten ihre Art.
group-save = Speichern

## Das Moderationsprotokoll (templates/modlog.html)
modlog-title = Moderationsprotokoll
modlog-intro = Jede Handlung der Moderation dieser Gruppe, die neueste zuerst.
modlog-intro-remote = Jede Handlung der Moderation dieser Gruppe, die diese Instanz erreicht hat, die neueste zuerst.
modlog-a-moderator = jemand aus der Moderation
modlog-action-remove_post = { $moderator } hat einen Beitrag von { $person } entfernt
modlog-action-restore_post = { $moderator } hat einen Beitrag von { $person } wiederhergestellt
modlog-action-remove_reply = { $moderator } hat eine Antwort von { $person } entfernt
modlog-action-restore_reply = { $moderator } hat eine Antwort von { $person } wiederhergestellt
modlog-action-lock = { $moderator } hat eine Diskussion gesperrt
modlog-action-unlock = { $moderator } hat eine Diskussion entsperrt
modlog-action-pin = { $moderator } hat eine Diskussion angeheftet
modlog-action-unpin = { $moderator } hat das Anheften einer Diskussion aufgehoben
modlog-action-ban = { $moderator } hat { $person } ausgeschlossen
modlog-action-unban = { $moderator } hat den Ausschluss von { $person } aufgehoben
modlog-action-add_moderator = { $moderator } hat { $person } zur Moderation hinzugefügt
modlog-action-remove_moderator = { $moderator } hat { $person } aus der Moderation genommen
modlog-the-thread = die Diskussion
modlog-until = bis { $time }
modlog-reason = Grund: { $reason }
modlog-older = Ältere Einträge
modlog-none = Noch keine Handlungen der Moderation.

## Einen Beitrag schreiben (templates/compose.html)
compose-edit-post = Beitrag bearbeiten
compose-in-group = In { $group }
compose-preview = Vorschau
compose-similar-heading = Beantwortete Fragen und Seiten wie deine
compose-similar-none = Noch keine beantwortete Frage und keine Seite sieht wie diese aus.
compose-similar = Ähnliche Fragen
compose-similar-help = Hier schon beantwortete Fragen und Seiten dieser Gruppe, die deinem Titel ähneln (dein Entwurf bleibt erhalten).
compose-qa-mode = Diese Gruppe ist im Frage-Antwort-Modus: Jeder Beitrag ist eine Frage, und eine Antwort kann als ihre Lösung akzeptiert werden.
compose-kind = Dieser Beitrag ist
compose-kind-discussion = eine Diskussion
compose-kind-question = eine Frage (du kannst eine Antwort als Lösung akzeptieren)
compose-body = Text (Markdown, freiwillig)
compose-body-help = Markdown: **fett**, *kursiv*, [Link](https://…), `Code`, Listen, > Zitate. Erwähne Leute als @name oder @name@instanz.
compose-attach-legend = Bild oder Datei hinzufügen
compose-attach-file = Bild oder PDF
compose-attach-alt = Beschreibe das Bild für Menschen, die es nicht sehen können (Alternativtext)
compose-attach-help = Bilder als JPEG, PNG, GIF oder WebP (ihre Metadaten, etwa der Aufnahmeort eines Fotos, werden entfernt) oder ein PDF. Es wird am Ende des Textes eingefügt, wo du es verschieben kannst.
compose-attach = Anhängen
compose-post = Veröffentlichen
compose-cancel = Abbrechen

# A members-only group: only its approved members read it.
group-members-only = Nur für Mitglieder
group-members-only-help = Nur die bestätigten Mitglieder dieser Gruppe lesen ihre Beiträge, Antworten und Seiten. Bitte um Aufnahme, und eine Moderatorin oder ein Moderator entscheidet; oder öffne einen Einladungslink, den du bekommen hast.
group-ask-to-join = Um Aufnahme bitten
group-join-asked = Aufnahme erbeten; die Moderation entscheidet
group-requests-waiting = { $n ->
    [one] { $n } Beitrittsanfrage wartet
   *[other] { $n } Beitrittsanfragen warten
}
group-create-members-only = Nur für Mitglieder: nur bestätigte Mitglieder lesen sie (jetzt gewählt; nicht mehr änderbar, sobald es Beiträge gibt)
members-title = Mitglieder
members-list = Mitglieder
members-none = Noch keine Mitglieder.
members-requests = Beitrittsanfragen
members-no-requests = Niemand wartet.
members-approve = Aufnehmen
members-refuse = Ablehnen
members-new-instance = erstes Mitglied auf { $host }
members-new-instance-help = Wer das erste Mitglied einer anderen Instanz aufnimmt, schickt die Beiträge dieser Gruppe an deren Server, dessen Administration sie lesen kann. Cohort zeigt sie dort nur Mitgliedern; andere Software zeigt sie womöglich allen (PieFed tut es) oder lehnt sie ab (Lemmy 0.19 tut es).
members-invites = Einladungslinks
members-invite-made = Hier ist der neue Link. Kopiere ihn jetzt: Er wird nicht noch einmal gezeigt.
members-invite-link = Einladungslink
members-invite-line = { $uses ->
    [one] Einmal benutzt
   *[other] { $uses }-mal benutzt
}, gültig bis { $until }
members-revoke = Widerrufen
members-invite-days = Gültig für (Tage)
members-invite-create = Link erstellen
invitation-title = Einladung in { $group }
invitation-accept = Der Gruppe beitreten
invitation-log-in = Zum Beitreten anmelden
group-edit-icon = Symbol
group-edit-icon-help = Ein quadratisches Bild neben dem Namen der Gruppe, hier und auf anderen Servern.
group-edit-banner = Banner
group-edit-banner-help = Ein breites Bild oben auf der Seite der Gruppe.
