### E-mail : ce que Cohort envoie, et les pages qu’ouvrent ses liens.

## Les e-mails

mail-greeting = Bonjour { $name },
mail-footer = Cet e-mail vient de { $instance }.
mail-settings = Choisissez les e-mails que vous recevez : { $url }
mail-unsubscribe = Ne plus recevoir ces e-mails, en un clic : { $url }
mail-verify-subject = Confirmez votre adresse pour { $instance }
mail-verify-body = Quelqu’un, vous-même espérons-le, a indiqué cette adresse pour le compte { $username } sur { $instance }. Ouvrez ce lien pour la confirmer :
mail-verify-expiry = Le lien est valable { $hours } heures. Si ce n’était pas vous, ignorez cet e-mail.
mail-verify-button = Confirmer mon adresse
mail-reset-subject = Réinitialisez votre mot de passe sur { $instance }
mail-reset-body = Quelqu’un a demandé à réinitialiser le mot de passe de { $username } sur { $instance }. Ouvrez ce lien pour en choisir un nouveau :
mail-reset-expiry = Le lien ne sert qu’une fois, pendant { $minutes } minutes. Si vous n’avez rien demandé, ignorez cet e-mail : votre mot de passe reste inchangé.
mail-reset-button = Choisir un nouveau mot de passe
mail-notice-reply = { $who } a répondu dans « { $title } »
mail-notice-mention = { $who } vous a mentionné dans « { $title } »
mail-notice-accepted = Votre réponse dans « { $title } » a été acceptée
mail-notices-subject-many = { $count } nouvelles réponses et mentions sur { $instance }
mail-notices-intro = Voici ce qui s’est passé depuis votre dernier e-mail :
mail-notices-open = Ouvrir la discussion
mail-digest-subject = Votre semaine sur { $instance }
mail-digest-intro = Ce qui s’est passé dans vos groupes cette semaine.
mail-digest-waiting = Questions toujours en attente d’une réponse
mail-digest-pages = Pages nouvelles et modifiées de la base de connaissances
mail-digest-helpful = Les discussions les plus utiles
mail-digest-in = dans { $group }

## Les pages

login-forgot = Mot de passe oublié ?
forgot-heading = Mot de passe oublié ?
forgot-intro = Indiquez votre nom d’utilisateur ou votre adresse e-mail. Si le compte a une adresse, nous y envoyons un lien pour choisir un nouveau mot de passe.
forgot-label = Nom d’utilisateur ou adresse e-mail
forgot-submit = Envoyer le lien
forgot-sent = Si un compte d’ici porte ce nom ou cette adresse, un lien pour choisir un nouveau mot de passe est en route. Il est valable { $minutes } minutes.
forgot-no-mail = Cette instance n’envoie pas d’e-mails. Demandez à son administrateur de réinitialiser votre mot de passe.
reset-heading = Choisir un nouveau mot de passe
reset-submit = Enregistrer le nouveau mot de passe
reset-invalid = Ce lien est inconnu, déjà utilisé ou expiré. Demandez-en un nouveau.
reset-done = Votre mot de passe a été changé, et toutes les autres sessions ont été déconnectées. Connectez-vous avec le nouveau.
verify-heading = Votre adresse e-mail
verify-done = Votre adresse { $email } est confirmée.
verify-invalid = Ce lien est inconnu, déjà utilisé ou expiré. Connectez-vous pour en recevoir un nouveau.
verify-sent = Nous avons envoyé un lien à { $email }. Ouvrez-le pour confirmer votre adresse, puis connectez-vous.
verify-resend = Renvoyer le lien
verify-resent = Si ce compte attend la confirmation de son adresse, un nouveau lien est en route.
unsubscribe-heading = Arrêter les e-mails
unsubscribe-notices = Arrêter les e-mails sur les réponses, les mentions et les réponses acceptées pour { $username } ?
unsubscribe-digest = Arrêter le récapitulatif hebdomadaire pour { $username } ?
unsubscribe-submit = Arrêter ces e-mails
unsubscribe-done = C’est fait : { $username } ne recevra plus ces e-mails. Les réglages permettent de les réactiver.
unsubscribe-invalid = Ce lien est inconnu. Connectez-vous et modifiez vos e-mails dans les réglages.
settings-mail = E-mail
settings-email-label = Adresse
settings-email-unconfirmed = Pas encore confirmée : nous y avons envoyé un lien.
settings-email-confirmed = Confirmée.
settings-email-failed = Le dernier e-mail envoyé à cette adresse n’a pas pu être distribué : indiquez-la de nouveau pour la confirmer.
settings-notices-label = Réponses, mentions et réponses acceptées
settings-notices-immediately = Par e-mail, tout de suite
settings-notices-daily = Dans un e-mail par jour
settings-notices-never = Pas par e-mail
settings-digest-label = Le récapitulatif hebdomadaire : questions en attente, nouvelles pages, discussions utiles
settings-mail-off = Cette instance n’envoie pas d’e-mails.

## Authentification unique

login-with = Se connecter avec { $name }
sso-name-heading = Choisissez votre nom
sso-name-intro = Votre organisation a confirmé votre identité. Choisissez le nom sous lequel on vous connaîtra ici.
sso-name-submit = Créer mon compte
