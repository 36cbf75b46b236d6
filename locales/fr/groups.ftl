# L’interface de Cohort en français : les groupes (l’annuaire, la page d’un groupe, créer et
# modifier un groupe), le journal de modération et la rédaction d’une publication.

## L’annuaire (templates/groups.html)
groups-directory = Annuaire
groups-find = Trouver un groupe
groups-find-placeholder = nom ou titre
groups-search = Rechercher
groups-matching = Groupes correspondant à « { $q } ».
groups-show-all = Tout afficher
groups-none-match = Aucun groupe ne correspond.
groups-none-yet = Pas encore de groupe.
groups-more = Plus de groupes
groups-join-elsewhere = Rejoindre un groupe sur une autre instance
groups-join-handle = Identifiant ou adresse du groupe
groups-join-handle-placeholder = !groupe@example.org
groups-join-handle-help = Par exemple { $handle }, { $address } ou l’adresse web du groupe.
groups-log-in-to-join = { $login } pour rejoindre des groupes ici ou ailleurs.
groups-new-group = Nouveau groupe
groups-join-not-a-group = Cette adresse n’est pas un groupe.
groups-join-not-found = Aucun groupe n’a été trouvé à cet identifiant ou à cette adresse.
groups-join-upstream = Cette instance n’a pas répondu ; réessayez plus tard.

## La page d’un groupe (templates/group.html)
group-feed-posts = { $group } : nouvelles publications
group-feed-waiting = { $group } : questions en attente de réponse
group-on-host = sur { $host }
group-join = Rejoindre
group-leave = Quitter
group-join-pending = Demande envoyée, en attente de { $host }
group-new-post = Nouvelle publication
group-log-in-to-post = Connectez-vous pour rejoindre et publier
group-posts = Publications
group-sort-posts = Trier les publications
group-sort-hot = Populaires
group-sort-new = Nouvelles
group-sort-active = Actives
group-sort-top = Meilleures
group-questions = Questions
group-filter-every-post = Toutes les publications
group-filter-all = Toutes les questions ({ $n })
group-filter-unanswered = Sans réponse ({ $n })
group-filter-answered = Résolues ({ $n })
group-no-posts = Pas encore de publication.
group-write-first = Écrivez la première.
group-older-posts = Publications plus anciennes
group-about-heading = À propos
group-no-description = Pas de description.
group-members = { $n ->
    [one] { $n } membre ici
   *[other] { $n } membres ici
}
group-members-following = { $n ->
    [one] { $n } membre ici (abonné depuis cette instance)
   *[other] { $n } membres ici (abonnés depuis cette instance)
}
group-created = créé { $when }
group-view-on = Voir sur { $host }
group-pinned = Épinglées
group-knowledge-base = Base de connaissances
group-page-removed = (retirée)
group-no-pages = Pas encore de page.
group-write-page = Écrire une page
group-waiting = Questions en attente de réponse
group-qa-mode-help = Ce groupe est en mode questions-réponses : chaque publication est une question.
group-rules-heading = Règles
group-moderators = Modération
group-moderators-none = Personne.
group-moderators-elsewhere = Indiquée sur { $host }.
group-feed = Flux
group-edit-heading = Modifier le groupe

## Créer un groupe (templates/group_new.html)
group-new-heading = Créer un groupe
group-new-name = Nom
group-new-name-help = De 3 à 32 lettres minuscules, chiffres ou _. Le groupe sera !nom@{ $domain }.
group-new-create = Créer le groupe

## Modifier un groupe (templates/group_edit.html)
group-edit-title = Modifier { $group }
group-edit-qa-mode = Mode questions-réponses
group-edit-qa-mode-help = Chaque nouvelle publication est une question, et une réponse peut être acceptée comme sa solution. Les publications déjà écrites gardent leur type.
group-save = Enregistrer

## Le journal de modération (templates/modlog.html)
modlog-title = Journal de modération
modlog-intro = Chaque action de la modération de ce groupe, la plus récente en premier.
modlog-intro-remote = Chaque action de la modération de ce groupe parvenue à cette instance, la plus récente en premier.
modlog-a-moderator = un membre de la modération
modlog-action-remove_post = { $moderator } a retiré une publication de { $person }
modlog-action-restore_post = { $moderator } a rétabli une publication de { $person }
modlog-action-remove_reply = { $moderator } a retiré une réponse de { $person }
modlog-action-restore_reply = { $moderator } a rétabli une réponse de { $person }
modlog-action-lock = { $moderator } a verrouillé une discussion
modlog-action-unlock = { $moderator } a déverrouillé une discussion
modlog-action-pin = { $moderator } a épinglé une discussion
modlog-action-unpin = { $moderator } a désépinglé une discussion
modlog-action-ban = { $moderator } a banni { $person }
modlog-action-unban = { $moderator } a levé le bannissement de { $person }
modlog-action-add_moderator = { $moderator } a ajouté à la modération : { $person }
modlog-action-remove_moderator = { $moderator } a retiré de la modération : { $person }
modlog-the-thread = la discussion
modlog-until = jusqu’au { $time }
modlog-reason = Motif : { $reason }
modlog-older = Entrées plus anciennes
modlog-none = Pas encore d’action de modération.

## Rédiger une publication (templates/compose.html)
compose-edit-post = Modifier la publication
compose-in-group = Dans { $group }
compose-preview = Aperçu
compose-similar-heading = Questions résolues et pages proches de la vôtre
compose-similar-none = Aucune question résolue ni aucune page ne ressemble encore à celle-ci.
compose-similar = Questions similaires
compose-similar-help = Les questions déjà résolues ici, et les pages de ce groupe, qui ressemblent à votre titre (votre brouillon est conservé).
compose-qa-mode = Ce groupe est en mode questions-réponses : chaque publication est une question, et une réponse peut être acceptée comme sa solution.
compose-kind = Cette publication est
compose-kind-discussion = une discussion
compose-kind-question = une question (vous pourrez accepter une réponse comme solution)
compose-body = Texte (markdown, facultatif)
compose-body-help = Markdown : **gras**, *italique*, [lien](https://…), `code`, listes, > citations. Mentionnez des personnes avec @nom ou @nom@instance.
compose-attach-legend = Ajouter une image ou un fichier
compose-attach-file = Image ou PDF
compose-attach-alt = Décrivez l’image pour les personnes qui ne peuvent pas la voir (texte alternatif)
compose-attach-help = Images JPEG, PNG, GIF ou WebP (leurs métadonnées, comme le lieu d’une photo, sont retirées) ou un PDF. Elle est ajoutée à la fin du texte, où vous pouvez la déplacer.
compose-attach = Joindre
compose-post = Publier
compose-cancel = Annuler

# A members-only group: only its approved members read it.
group-members-only = Réservé aux membres
group-members-only-help = Seuls les membres approuvés de ce groupe lisent ses messages, réponses et pages. Demandez à le rejoindre et la modération décide ; ou ouvrez un lien d’invitation qui vous a été donné.
group-ask-to-join = Demander à rejoindre
group-join-asked = Demande envoyée ; la modération décide
group-requests-waiting = { $n ->
    [one] { $n } demande d’adhésion attend
   *[other] { $n } demandes d’adhésion attendent
}
group-create-members-only = Réservé aux membres : seuls les membres approuvés le lisent (choisi maintenant ; impossible à changer une fois qu’il y a des messages)
members-title = Membres
members-list = Membres
members-none = Pas encore de membres.
members-requests = Demandes d’adhésion
members-no-requests = Personne n’attend.
members-approve = Accepter
members-refuse = Refuser
members-new-instance = premier membre sur { $host }
members-new-instance-help = Accepter le premier membre d’une autre instance envoie les messages de ce groupe à son serveur, dont l’administration peut les lire. Cohort les y réserve aux membres ; d’autres logiciels peuvent les montrer à tous (PieFed le fait) ou les refuser (Lemmy 0.19 le fait).
members-invites = Liens d’invitation
members-invite-made = Voici le nouveau lien. Copiez-le maintenant : il ne sera plus affiché.
members-invite-link = Lien d’invitation
members-invite-line = { $uses ->
    [one] Utilisé une fois
   *[other] Utilisé { $uses } fois
}, valable jusqu’au { $until }
members-revoke = Révoquer
members-invite-days = Valable (jours)
members-invite-create = Créer un lien
invitation-title = Invitation à { $group }
invitation-accept = Rejoindre le groupe
invitation-log-in = Se connecter pour rejoindre
group-edit-icon = Icône
group-edit-icon-help = Une image carrée affichée à côté du nom du groupe, ici et sur d’autres serveurs.
group-edit-banner = Bannière
group-edit-banner-help = Une image large en haut de la page du groupe.
