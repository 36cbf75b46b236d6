# L'interface de Cohort en français : les comptes (inscription, connexion, paramètres), la
# page d'accueil, les notifications et les pages des personnes.

## Commun aux formulaires de connexion et d'inscription
account-username = Nom d'utilisateur
account-password = Mot de passe

## Connexion (templates/login.html)
login-new-here = Nouveau ici ? { $signup }.

## Inscription (templates/signup.html)
signup-closed = Cette instance n'accepte pas d'inscriptions.
signup-correct-field = Veuillez corriger le champ signalé ci-dessous.
signup-username-help = De 3 à 32 lettres minuscules, chiffres ou _. Vous serez @nom@{ $domain }.
signup-password-help = Au moins 8 caractères.
signup-email = Adresse e-mail
signup-email-help = Pour s'inscrire ici, il faut une adresse chez { $domains }.
signup-application-help = Un administrateur lit ceci et approuve votre compte.
signup-invite = Code d'invitation
signup-submit = Créer le compte
signup-have-account = Vous avez déjà un compte ? { $login }.
signup-approval-notice = Merci. Un administrateur lira votre demande ; vous pourrez vous connecter dès qu'elle sera approuvée.

## Paramètres (templates/settings.html)
settings-heading = Paramètres du compte
settings-account = Votre compte
settings-handle = Identifiant
settings-profile = Profil
settings-member-since = Membre depuis
settings-display-name = Nom affiché
settings-display-name-help = Affiché à la place de votre nom d'utilisateur, ici et sur les autres instances (lorsqu'elles vous consulteront la prochaine fois). Laissez vide pour afficher @{ $username }.
settings-save = Enregistrer
settings-language = Langue
settings-language-label = Langue des pages
settings-language-browser = Selon mon navigateur
settings-password = Changer le mot de passe
settings-current-password = Mot de passe actuel
settings-current-wrong = Le mot de passe actuel n'est pas le bon.
settings-new-password = Nouveau mot de passe
settings-new-password-help = Au moins 8 caractères. Tous les autres navigateurs et applications connectés à ce compte sont déconnectés.
settings-saved = Enregistré.
settings-password-changed = Votre mot de passe a été changé ; les autres sessions ont été déconnectées.

## La page d'accueil (templates/home.html)
home-title = Accueil
home-recent-mine = Activité récente dans vos groupes
home-unread-count = { $n ->
    [one] { $n } nouvelle notification
   *[other] { $n } nouvelles notifications
}
home-unread = { $notifications } : réponses qui vous sont adressées et mentions de vous.
home-find-group = Trouvez un groupe à rejoindre
home-empty = Rien ici pour l'instant. { $find }, ici ou sur une autre instance.
home-your-groups = Vos groupes
home-pending = en attente d'approbation
home-no-groups = Vous n'avez encore rejoint aucun groupe.
home-browse-groups = Parcourir les groupes
home-start-group = Créer un groupe
home-waiting = Questions en attente d'une réponse
home-welcome-title = Apprendre ensemble, d'une organisation à l'autre
home-welcome = Voici { $domain }, une instance Cohort. Ses groupes dialoguent avec des groupes d'autres instances (et avec Mastodon, Lemmy et d'autres), pour que vous puissiez poser des questions, répondre et discuter avec des personnes où qu'elles soient.
home-recent = Activité récente
home-no-posts = Aucune publication pour l'instant.

## Notifications (templates/notifications.html)
notifications-help = Les réponses à vos publications et à vos réponses, les publications ou réponses qui vous mentionnent, et des rappels pour vos questions toujours sans réponse acceptée.
notifications-new = nouveau
notifications-tag-reply = réponse
notifications-tag-mention = mention
notifications-replied = { $person } a répondu sur { $post } dans { $group }
notifications-mentioned-reply = { $person } vous a mentionné sur { $post } dans { $group }
notifications-mentioned-post = { $person } vous a mentionné dans { $post } dans { $group }
notifications-nudge = Votre question { $post } dans { $group } n'a pas encore de réponse acceptée ({ $n ->
    [one] { $n } réponse
   *[other] { $n } réponses
}). Si une réponse l'a résolue, acceptez-la, pour que d'autres la trouvent.
notifications-none = Rien pour l'instant. Quand quelqu'un vous répond ou vous mentionne, cela apparaît ici.

## La page d'une personne (templates/person.html)
person-feed-title = Publications de { $name }
person-on-host = sur { $host }
person-view-on = Voir sur { $host }
person-posts = Publications
person-no-posts = Aucune publication connue ici.
person-replies = Réponses
person-reply-on = Sur { $post } dans { $group }
person-no-replies = Aucune réponse connue ici.
person-answers = Réponses acceptées
person-accepted = acceptée
person-answer-on = sur { $post } dans { $group }
person-no-answers = Aucune réponse acceptée connue ici.
settings-avatar = Avatar
settings-avatar-current = L’image actuelle
settings-avatar-help = Une image affichée à côté de votre nom, ici et sur d’autres serveurs (JPEG, PNG, GIF ou WebP ; ses métadonnées sont retirées).
settings-avatar-save = Téléverser
settings-avatar-remove = Retirer
