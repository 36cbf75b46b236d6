### E-Mail: was Cohort verschickt, und die Seiten, die seine Links öffnen.

## Die E-Mails

mail-greeting = Hallo { $name },
mail-footer = Diese E-Mail kommt von { $instance }.
mail-settings = Wähle, welche E-Mails du bekommst: { $url }
mail-unsubscribe = Diese E-Mails mit einem Klick abbestellen: { $url }
mail-verify-subject = Bestätige deine Adresse für { $instance }
mail-verify-body = Jemand, hoffentlich du, hat diese Adresse für das Konto { $username } auf { $instance } angegeben. Öffne diesen Link, um sie zu bestätigen:
mail-verify-expiry = Der Link gilt { $hours } Stunden. Wenn du es nicht warst, ignoriere diese E-Mail.
mail-verify-button = Meine Adresse bestätigen
mail-reset-subject = Setze dein Passwort auf { $instance } zurück
mail-reset-body = Jemand hat darum gebeten, das Passwort von { $username } auf { $instance } zurückzusetzen. Öffne diesen Link, um ein neues zu wählen:
mail-reset-expiry = Der Link funktioniert ein einziges Mal, { $minutes } Minuten lang. Wenn du nicht darum gebeten hast, ignoriere diese E-Mail: Dein Passwort bleibt, wie es ist.
mail-reset-button = Neues Passwort wählen
mail-notice-reply = { $who } hat in „{ $title }“ geantwortet
mail-notice-mention = { $who } hat dich in „{ $title }“ erwähnt
mail-notice-accepted = Deine Antwort in „{ $title }“ wurde akzeptiert
mail-notices-subject-many = { $count } neue Antworten und Erwähnungen auf { $instance }
mail-notices-intro = Das ist seit deiner letzten E-Mail passiert:
mail-notices-open = Diskussion öffnen
mail-digest-subject = Deine Woche auf { $instance }
mail-digest-intro = Was diese Woche in deinen Gruppen passiert ist.
mail-digest-waiting = Fragen, die noch auf eine Antwort warten
mail-digest-pages = Neue und geänderte Seiten der Wissensdatenbank
mail-digest-helpful = Die hilfreichsten Diskussionen
mail-digest-in = in { $group }

## Die Seiten

login-forgot = Passwort vergessen?
forgot-heading = Passwort vergessen?
forgot-intro = Gib deinen Benutzernamen oder deine E-Mail-Adresse an. Hat das Konto eine Adresse, schicken wir dorthin einen Link, mit dem du ein neues Passwort wählen kannst.
forgot-label = Benutzername oder E-Mail-Adresse
forgot-submit = Link senden
forgot-sent = Wenn ein Konto hier diesen Namen oder diese Adresse hat, ist ein Link zum Wählen eines neuen Passworts unterwegs. Er gilt { $minutes } Minuten.
forgot-no-mail = Diese Instanz verschickt keine E-Mails. Bitte ihre Administration, dein Passwort zurückzusetzen.
reset-heading = Neues Passwort wählen
reset-submit = Neues Passwort speichern
reset-invalid = Dieser Link ist unbekannt, schon benutzt oder abgelaufen. Fordere einen neuen an.
reset-done = Dein Passwort wurde geändert, und alle anderen Sitzungen wurden abgemeldet. Melde dich mit dem neuen an.
verify-heading = Deine E-Mail-Adresse
verify-done = Deine Adresse { $email } ist bestätigt.
verify-invalid = Dieser Link ist unbekannt, schon benutzt oder abgelaufen. Melde dich an, um dir einen neuen schicken zu lassen.
verify-sent = Wir haben einen Link an { $email } geschickt. Öffne ihn, um deine Adresse zu bestätigen, und melde dich dann an.
verify-resend = Link erneut senden
verify-resent = Wenn dieses Konto auf die Bestätigung seiner Adresse wartet, ist ein neuer Link unterwegs.
unsubscribe-heading = E-Mails abbestellen
unsubscribe-notices = Die E-Mails über Antworten, Erwähnungen und akzeptierte Antworten für { $username } abbestellen?
unsubscribe-digest = Die wöchentliche Übersicht für { $username } abbestellen?
unsubscribe-submit = Diese E-Mails abbestellen
unsubscribe-done = Erledigt: { $username } bekommt diese E-Mails nicht mehr. In den Einstellungen lassen sie sich wieder einschalten.
unsubscribe-invalid = Dieser Link ist unbekannt. Melde dich an und ändere deine E-Mails in den Einstellungen.
settings-mail = E-Mail
settings-email-label = Adresse
settings-email-unconfirmed = Noch nicht bestätigt: Wir haben einen Link an sie geschickt.
settings-email-confirmed = Bestätigt.
settings-email-failed = Die letzte E-Mail an diese Adresse konnte nicht zugestellt werden: Gib sie noch einmal an, um sie zu bestätigen.
settings-notices-label = Antworten, Erwähnungen und akzeptierte Antworten
settings-notices-immediately = Per E-Mail, sofort
settings-notices-daily = In einer E-Mail pro Tag
settings-notices-never = Nicht per E-Mail
settings-digest-label = Die wöchentliche Übersicht: wartende Fragen, neue Seiten, hilfreiche Diskussionen
settings-mail-off = Diese Instanz verschickt keine E-Mails.

## Single Sign-on

login-with = Anmelden mit { $name }
sso-name-heading = Wähle deinen Namen
sso-name-intro = Deine Organisation hat bestätigt, wer du bist. Wähle den Namen, unter dem dich die Leute hier kennen.
sso-name-submit = Mein Konto erstellen
