# L'interface de Cohort en français : ce que toutes les pages partagent (cadre, dates,
# erreurs, éléments communs).

## Le cadre (templates/base.html)
site-skip = Aller au contenu
site-nav = Site
nav-groups = Groupes
nav-search = Recherche
nav-notifications = Notifications
nav-settings = Réglages
nav-health = Santé
nav-logout = Se déconnecter
nav-login = Se connecter
nav-signup = S’inscrire
site-footer = un serveur communautaire fédéré
site-footer-api = Interface de programmation

## Dates et durées
ago-now = à l’instant
ago-minutes = { $n ->
    [one] il y a { $n } minute
   *[other] il y a { $n } minutes
}
ago-hours = { $n ->
    [one] il y a { $n } heure
   *[other] il y a { $n } heures
}
ago-days = { $n ->
    [one] il y a { $n } jour
   *[other] il y a { $n } jours
}
duration-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] { $n } heure
   *[other] { $n } heures
}
duration-days = { $n ->
    [one] { $n } jour
   *[other] { $n } jours
}
date = { $day } { $month } { $year }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Erreurs
error-title-400 = Cela n’a pas fonctionné
error-title-401 = Veuillez vous connecter
error-title-403 = Non autorisé
error-title-404 = Introuvable
error-title-409 = Impossible pour le moment
error-title-413 = Trop volumineux
error-title-429 = Doucement
error-title-500 = Une erreur est survenue
error-title-502 = Un autre serveur n’a pas répondu
error-home = Aller à l’accueil
error-invalid_input = Veuillez vérifier votre saisie.
error-bad_request = La requête n’a pas pu être lue.
error-unauthenticated = Veuillez d’abord vous connecter.
error-bad_credentials = Le nom d’utilisateur ou le mot de passe est incorrect.
error-bad_signature = La signature de la requête n’est pas valide.
error-upstream_unavailable = Un autre serveur n’a pas répondu ; réessayez plus tard.
error-rate_limited = Trop d’essais en peu de temps ; patientez un instant puis réessayez.
error-not_found = Il n’y a rien ici, ou vous ne pouvez pas le voir.
error-payload_too_large = Ce que vous avez envoyé est trop volumineux.
error-unsupported_media_type = Ce type de contenu n’est pas accepté ici.
error-internal = Une erreur est survenue de notre côté. Elle a été consignée.
error-other = Cela n’a pas fonctionné.
error-forbidden = Vous n’avez pas le droit de faire cela.
error-registration_closed = Les inscriptions sont fermées sur cette instance.
error-pending_approval = Votre demande attend l’approbation d’un administrateur.
error-email_unverified = Votre adresse e-mail n’est pas encore confirmée : ouvrez le lien que nous vous avons envoyé, ou faites-le renvoyer.
error-mail_unavailable = Cette instance n’envoie pas d’e-mails. Adressez-vous à son administrateur.
error-sso_refused = La connexion par le fournisseur de votre organisation n’a pas abouti.
error-members_only = Ce groupe est réservé à ses membres : seuls ses membres approuvés y lisent et y écrivent.
error-banned = Vous êtes banni·e ici.
error-instance_blocked = Cette instance ne fédère pas avec celle-là.
error-instance_not_allowed = Cette instance ne fédère qu’avec les instances qu’elle autorise, et celle-là n’en fait pas partie.
error-csrf = Le formulaire avait expiré. Rechargez la page et renvoyez-le.
error-name_taken = Ce nom est déjà pris.
error-deleted = Cela a été supprimé.
error-locked = C’est verrouillé : plus aucune modification n’est possible.
error-not_removed = Cela n’a pas été retiré.
error-is_moderator = Cette personne est déjà modératrice.
error-last_moderator = Un groupe a besoin d’au moins une personne à la modération.
error-is_banned = Cette personne est bannie du groupe.
error-not_a_question = Cette publication n’est pas une question.
error-not_in_thread = Cette réponse ne fait pas partie de cette discussion.
error-edit_conflict = Quelqu’un a enregistré une version plus récente pendant votre modification.
error-invalid_activity = Cette activité n’est pas valide.
error-invalid_actor = Cet acteur n’est pas valide.
error-invalid_object = Cet objet n’est pas valide.
error-not_public = Ce n’est pas public.
error-object_deleted = Cela a été supprimé sur son serveur d’origine.
error-unsupported_object = Ce type d’objet n’est pas pris en charge.
error-url_refused = Cette adresse n’est pas autorisée.
error-fetch_failed = Impossible de récupérer cela depuis son serveur.
error-fetch_limit = Trop de récupérations auprès d’autres serveurs pour le moment ; réessayez plus tard.
error-media_refused = Ce fichier n’est pas accepté : il doit s’agir d’une image fixe (JPEG, PNG, GIF ou WebP) dans les limites de taille, ou d’un document autorisé.
error-quota_exceeded = Il n’y a plus de place pour ce téléversement : supprimez certains de vos fichiers ou demandez aux administrateurs.

## Éléments communs (templates/macros.html)
person-deleted = [supprimé]
on-another-instance = sur une autre instance
vote-up = Voter pour
vote-down = Voter contre
vote-score = score
tag-answered = résolue
tag-question = question
tag-pinned = épinglé
tag-locked = verrouillé
tag-accepted-answer = réponse acceptée
in-group = dans { $group }
by-person = par { $person }
reply-count = { $n ->
    [one] { $n } réponse
   *[other] { $n } réponses
}
report = Signaler
report-why = Pourquoi la modération devrait-elle regarder ceci ?
report-send = Envoyer le signalement
waiting-for = en attente depuis { $time }
waiting-none = Aucune : chaque question a une réponse acceptée.
hit-reply-in = Réponse dans :
hit-page = Page :
group-title = Titre
group-about = À propos du groupe (markdown)
group-rules = Règles (markdown, facultatif)
group-rules-help = Affichées à côté des publications du groupe, pour les membres comme pour la modération.

## The language of what someone writes (templates/macros.html)
language-of-text = Langue du texte
language-not-said = Non précisée

## Flux, l’application installée et sa page hors ligne
feed-waiting = { $group } : questions en attente de réponse
feed-person = Publications de { $person }
feed-thread = Réponses à { $title }
feed-replied = { $person } a répondu
feed-warning = Avertissement : { $warning }. Ouvrez la publication pour la lire.
app-description = Des groupes qui apprennent ensemble, d’une organisation à l’autre.
offline-title = Hors ligne
offline-heading = Vous êtes hors ligne
offline-text = Cette page n’a pas pu être chargée : il n’y a pas de connexion au serveur. Vos publications et réponses y sont en sécurité.
offline-retry = Réessayer
