# Cohorts Oberfläche auf Deutsch: Konten (Registrieren, Anmelden, Einstellungen), die
# Startseite, Benachrichtigungen und Personenseiten.

## Gemeinsam für Anmelde- und Registrierungsformular
account-username = Benutzername
account-password = Passwort

## Anmelden (templates/login.html)
login-new-here = Neu hier? { $signup }.

## Registrieren (templates/signup.html)
signup-closed = Diese Instanz nimmt keine Registrierungen an.
signup-correct-field = Bitte korrigiere das unten markierte Feld.
signup-username-help = 3 bis 32 Kleinbuchstaben, Ziffern oder _. Du wirst @name@{ $domain } sein.
signup-password-help = Mindestens 8 Zeichen.
signup-email = E-Mail-Adresse
signup-email-help = Für eine Registrierung hier brauchst du eine Adresse bei { $domains }.
signup-application-help = Eine Administratorin oder ein Administrator liest das und schaltet dein Konto frei.
signup-invite = Einladungscode
signup-submit = Konto erstellen
signup-have-account = Du hast schon ein Konto? { $login }.
signup-approval-notice = Danke. Eine Administratorin oder ein Administrator wird deine Bewerbung lesen; du kannst dich anmelden, sobald sie angenommen ist.

## Einstellungen (templates/settings.html)
settings-heading = Kontoeinstellungen
settings-account = Dein Konto
settings-handle = Adresse
settings-profile = Profil
settings-member-since = Mitglied seit
settings-display-name = Anzeigename
settings-display-name-help = Wird statt deines Benutzernamens angezeigt, hier und auf anderen Instanzen (sobald sie dich das nächste Mal abrufen). Leer lassen, um @{ $username } anzuzeigen.
settings-save = Speichern
settings-language = Sprache
settings-language-label = Sprache der Seiten
settings-language-browser = Wie mein Browser es wünscht
settings-password = Passwort ändern
settings-current-password = Aktuelles Passwort
settings-current-wrong = Das aktuelle Passwort stimmt nicht.
settings-new-password = Neues Passwort
settings-new-password-help = Mindestens 8 Zeichen. Alle anderen Browser und Apps, die mit diesem Konto angemeldet sind, werden abgemeldet.
settings-saved = Gespeichert.
settings-password-changed = Dein Passwort wurde geändert; andere Sitzungen wurden abgemeldet.

## Die Startseite (templates/home.html)
home-title = Startseite
home-recent-mine = Neues in deinen Gruppen
home-unread-count = { $n ->
    [one] { $n } neue Benachrichtigung
   *[other] { $n } neue Benachrichtigungen
}
home-unread = { $notifications }: Antworten an dich und Erwähnungen von dir.
home-find-group = Finde eine Gruppe zum Beitreten
home-empty = Hier ist noch nichts. { $find }, hier oder auf einer anderen Instanz.
home-your-groups = Deine Gruppen
home-pending = wartet auf Freigabe
home-no-groups = Du bist noch keiner Gruppe beigetreten.
home-browse-groups = Gruppen durchsuchen
home-start-group = Gruppe gründen
home-waiting = Fragen, die auf eine Antwort warten
home-welcome-title = Gemeinsam lernen, über Organisationen hinweg
home-welcome = Das ist { $domain }, eine Cohort-Instanz. Ihre Gruppen sprechen mit Gruppen auf anderen Instanzen (und mit Mastodon, Lemmy und anderen), sodass du mit Menschen fragen, antworten und diskutieren kannst, wo immer sie sind.
home-recent = Neueste Aktivität
home-no-posts = Noch keine Beiträge.

## Benachrichtigungen (templates/notifications.html)
notifications-help = Antworten auf deine Beiträge und Antworten, Beiträge oder Antworten, die dich erwähnen, und Erinnerungen an deine Fragen, die noch keine akzeptierte Antwort haben.
notifications-new = neu
notifications-tag-reply = Antwort
notifications-tag-mention = Erwähnung
notifications-replied = { $person } hat auf { $post } in { $group } geantwortet
notifications-mentioned-reply = { $person } hat dich bei { $post } in { $group } erwähnt
notifications-mentioned-post = { $person } hat dich in { $post } in { $group } erwähnt
notifications-nudge = Deine Frage { $post } in { $group } hat noch keine akzeptierte Antwort ({ $n ->
    [one] { $n } Antwort
   *[other] { $n } Antworten
}). Wenn eine Antwort sie beantwortet hat, akzeptiere sie, damit andere sie finden.
notifications-none = Noch nichts. Wenn dir jemand antwortet oder dich erwähnt, erscheint es hier.

## Die Seite einer Person (templates/person.html)
person-feed-title = Beiträge von { $name }
person-on-host = auf { $host }
person-view-on = Auf { $host } ansehen
person-posts = Beiträge
person-no-posts = Hier sind keine Beiträge bekannt.
person-replies = Antworten
person-reply-on = Zu { $post } in { $group }
person-no-replies = Hier sind keine Antworten bekannt.
person-answers = Akzeptierte Antworten
person-accepted = akzeptiert
person-answer-on = zu { $post } in { $group }
person-no-answers = Hier sind keine akzeptierten Antworten bekannt.
settings-avatar = Profilbild
settings-avatar-current = Das aktuelle Bild
settings-avatar-help = Ein Bild neben deinem Namen, hier und auf anderen Servern (JPEG, PNG, GIF oder WebP; seine Metadaten werden entfernt).
settings-avatar-save = Hochladen
settings-avatar-remove = Entfernen
