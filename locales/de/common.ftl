# Cohorts Oberfläche auf Deutsch: was jede Seite teilt (Rahmen, Zeiten, Fehler, Bausteine).

## Der Rahmen (templates/base.html)
site-skip = Zum Inhalt springen
site-nav = Website
nav-groups = Gruppen
nav-search = Suche
nav-notifications = Benachrichtigungen
nav-settings = Einstellungen
nav-health = Zustand
nav-logout = Abmelden
nav-login = Anmelden
nav-signup = Registrieren
site-footer = ein föderierter Community-Server
site-footer-api = Programmierschnittstelle

## Zeiten und Daten
ago-now = gerade eben
ago-minutes = { $n ->
    [one] vor { $n } Minute
   *[other] vor { $n } Minuten
}
ago-hours = { $n ->
    [one] vor { $n } Stunde
   *[other] vor { $n } Stunden
}
ago-days = { $n ->
    [one] vor { $n } Tag
   *[other] vor { $n } Tagen
}
duration-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
duration-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
duration-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}
date = { $day }. { $month } { $year }
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## Fehler
error-title-400 = Das hat nicht geklappt
error-title-401 = Bitte melde dich an
error-title-403 = Nicht erlaubt
error-title-404 = Nicht gefunden
error-title-409 = Das geht gerade nicht
error-title-413 = Zu groß
error-title-429 = Langsamer, bitte
error-title-500 = Etwas ist schiefgegangen
error-title-502 = Ein anderer Server hat nicht geantwortet
error-home = Zur Startseite
error-invalid_input = Bitte prüfe deine Eingabe.
error-bad_request = Die Anfrage konnte nicht gelesen werden.
error-unauthenticated = Bitte melde dich zuerst an.
error-bad_credentials = Benutzername oder Passwort ist falsch.
error-bad_signature = Die Signatur der Anfrage ist ungültig.
error-upstream_unavailable = Ein anderer Server hat nicht geantwortet; versuche es später noch einmal.
error-rate_limited = Zu viele Versuche in kurzer Zeit; warte einen Moment und versuche es erneut.
error-not_found = Hier gibt es nichts, oder du darfst es nicht sehen.
error-payload_too_large = Was du gesendet hast, ist zu groß.
error-unsupported_media_type = Diese Art von Inhalt wird hier nicht angenommen.
error-internal = Bei uns ist etwas schiefgegangen. Es wurde protokolliert.
error-other = Das hat nicht geklappt.
error-forbidden = Das darfst du nicht.
error-registration_closed = Auf dieser Instanz ist die Registrierung geschlossen.
error-pending_approval = Deine Bewerbung wartet auf die Freigabe durch die Administration.
error-email_unverified = Deine E-Mail-Adresse ist noch nicht bestätigt: Öffne den Link, den wir dir geschickt haben, oder lass ihn dir erneut senden.
error-mail_unavailable = Diese Instanz verschickt keine E-Mails. Wende dich an ihre Administration.
error-sso_refused = Die Anmeldung über den Anbieter deiner Organisation hat nicht geklappt.
error-members_only = Diese Gruppe ist nur für Mitglieder: Nur ihre bestätigten Mitglieder lesen und schreiben darin.
error-banned = Du bist hier ausgeschlossen.
error-instance_blocked = Diese Instanz föderiert nicht mit jener.
error-instance_not_allowed = Diese Instanz föderiert nur mit den Instanzen, die sie zulässt, und jene gehört nicht dazu.
error-csrf = Das Formular war abgelaufen. Lade die Seite neu und sende es noch einmal.
error-name_taken = Dieser Name ist vergeben.
error-deleted = Das wurde gelöscht.
error-locked = Das ist gesperrt: Es sind keine Änderungen mehr möglich.
error-not_removed = Das wurde nicht entfernt.
error-is_moderator = Diese Person moderiert schon.
error-last_moderator = Eine Gruppe braucht mindestens eine Moderation.
error-is_banned = Diese Person ist aus der Gruppe ausgeschlossen.
error-not_a_question = Dieser Beitrag ist keine Frage.
error-not_in_thread = Diese Antwort gehört nicht zu dieser Diskussion.
error-edit_conflict = Jemand hat eine neuere Fassung gespeichert, während du bearbeitet hast.
error-invalid_activity = Diese Aktivität ist ungültig.
error-invalid_actor = Dieser Akteur ist ungültig.
error-invalid_object = Dieses Objekt ist ungültig.
error-not_public = Das ist nicht öffentlich.
error-object_deleted = Das wurde dort gelöscht, wo es zu Hause ist.
error-unsupported_object = Diese Art von Objekt wird nicht unterstützt.
error-url_refused = Diese Adresse ist nicht erlaubt.
error-fetch_failed = Das konnte nicht von seinem Server geladen werden.
error-fetch_limit = Gerade zu viele Abrufe bei anderen Servern; versuche es später noch einmal.
error-media_refused = Diese Datei wird nicht angenommen: Es muss ein unbewegtes Bild (JPEG, PNG, GIF oder WebP) innerhalb der Größengrenzen oder ein erlaubtes Dokument sein.
error-quota_exceeded = Für diesen Upload ist kein Platz mehr: Lösche einige deiner Uploads oder frage die Administratoren.

## Bausteine (templates/macros.html)
person-deleted = [gelöscht]
on-another-instance = auf einer anderen Instanz
vote-up = Positiv bewerten
vote-down = Negativ bewerten
vote-score = Wertung
tag-answered = beantwortet
tag-question = Frage
tag-pinned = angeheftet
tag-locked = gesperrt
tag-accepted-answer = akzeptierte Antwort
in-group = in { $group }
by-person = von { $person }
reply-count = { $n ->
    [one] { $n } Antwort
   *[other] { $n } Antworten
}
report = Melden
report-why = Warum sollte sich die Moderation das ansehen?
report-send = Meldung senden
waiting-for = wartet schon { $time }
waiting-none = Keine: Jede Frage hat eine akzeptierte Antwort.
hit-reply-in = Antwort in:
hit-page = Seite:
group-title = Titel
group-about = Über die Gruppe (Markdown)
group-rules = Regeln (Markdown, freiwillig)
group-rules-help = Wird neben den Beiträgen der Gruppe angezeigt, für Mitglieder wie für die Moderation.

## The language of what someone writes (templates/macros.html)
language-of-text = Sprache des Textes
language-not-said = Nicht angegeben

## Feeds, die installierte App und ihre Offline-Seite
feed-waiting = { $group }: Fragen, die auf eine Antwort warten
feed-person = Beiträge von { $person }
feed-thread = Antworten auf { $title }
feed-replied = { $person } hat geantwortet
feed-warning = Inhaltswarnung: { $warning }. Öffne den Beitrag, um ihn zu lesen.
app-description = Gruppen, die gemeinsam lernen, über Organisationen hinweg.
offline-title = Offline
offline-heading = Du bist offline
offline-text = Diese Seite konnte nicht geladen werden: Es gibt keine Verbindung zum Server. Deine Beiträge und Antworten sind dort sicher.
offline-retry = Noch einmal versuchen
