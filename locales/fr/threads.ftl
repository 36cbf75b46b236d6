# L'interface de Cohort en français : une discussion, la modification d’une réponse, la recherche.

## Une publication et ses réponses (templates/post.html)
thread-deleted-title = Publication supprimée
thread-feed-title = Réponses à { $title }
thread-from-instance = de { $host }
thread-removed = [retiré par la modération]
thread-deleted = [supprimé]
thread-edited = modifiée { $time }
thread-tag-answered-question = question résolue
thread-content-warning = Avertissement de contenu : { $warning }
thread-boosts = { $n ->
    [one] { $n } partage
   *[other] { $n } partages
}
thread-edit = Modifier
thread-delete = Supprimer
thread-delete-post-confirm = Supprimer cette publication ? Ses réponses restent.
thread-delete-reply-confirm = Supprimer cette réponse ? Les réponses qu’elle a reçues restent.
thread-original = Original
thread-answer-heading = Réponse acceptée
thread-answer-accepted = acceptée { $time }
thread-answer-accepted-by = acceptée { $time } par { $person }
thread-answer-see = La voir dans la discussion
thread-answer-withdraw = Retirer la réponse acceptée
thread-no-answer = Cette question n’a pas encore de réponse acceptée.
thread-no-answer-hint = Acceptez la réponse qui y répond avec son bouton « { thread-accept } ».
thread-pages-heading = Dans la base de connaissances
thread-make-page = Faire une page de cette discussion
thread-reported = Merci : votre signalement a été transmis à la modération du groupe.
thread-mod-tools = Outils de modération
thread-moderate = Modérer :
thread-restore = Rétablir
thread-lock = Verrouiller
thread-unlock = Déverrouiller
thread-pin = Épingler
thread-unpin = Désépingler
thread-mod-log = Journal de modération
thread-replies-heading = Réponses
thread-focus = Une seule réponse est affichée, avec les réponses qu’elle a reçues.
thread-show-all = Afficher toute la discussion
thread-your-reply = Votre réponse
thread-reply = Répondre
thread-locked = Cette discussion est verrouillée : plus de nouvelles réponses.
thread-login-to-reply = { $login } pour répondre et voter.
thread-hidden-author = [masqué]
thread-hidden = [masquée : son instance ne fédère pas avec celle-ci]
thread-accepted = ✓ réponse acceptée
thread-points = { $n ->
    [one] { $n } point
   *[other] { $n } points
}
thread-answers = { $n ->
    [one] { $n } réponse
   *[other] { $n } réponses
}
thread-permalink = Lien permanent
thread-accept = Accepter comme réponse
thread-accept-instead = Accepter plutôt comme réponse
thread-your-answer = Votre réponse
thread-no-replies = Pas encore de réponse.

## Modifier une réponse (templates/reply_edit.html)
reply-edit-title = Modifier la réponse
reply-edit-body = Réponse (markdown)
reply-edit-save = Enregistrer
reply-edit-cancel = Annuler

## Recherche (templates/search.html, src/http/web/search.rs)
search-for = Rechercher
search-button = Rechercher
search-filters = Filtres
search-group = Groupe
search-kind = Type
search-kind-any = tout
search-kind-post = publication
search-kind-question = question
search-kind-answered = résolue
search-kind-unanswered = sans réponse
search-kind-discussion = discussion
search-kind-reply = réponse
search-kind-page = page
search-instance = Instance
search-author = Auteur ou autrice
search-from = Du
search-until = Au
search-name-placeholder = nom ou nom@hôte
search-instance-placeholder = example.org
search-help-phrase = "une expression"
search-help = Des mots dans les publications, les réponses et les pages des groupes connus ici (tous doivent correspondre ; { $phrase } entre guillemets ; les mots de code comme { $code } sont trouvés tels quels) ; ou un identifiant ({ $person }, { $group }) ou une adresse, pour le chercher sur son instance.
search-help-visitor = Des mots dans les publications, les réponses et les pages des groupes connus ici (tous doivent correspondre ; { $phrase } entre guillemets ; les mots de code comme { $code } sont trouvés tels quels) ; ou un identifiant ({ $person }, { $group }) ou une adresse, pour le chercher sur son instance (après connexion).
search-hits = Publications, réponses et pages
search-nothing = Aucun résultat.
search-more = Plus de résultats
search-login-to-look-up = Connectez-vous pour chercher sur d’autres instances.
search-not-found = Rien n’a été trouvé à cet identifiant ou à cette adresse.
search-upstream = Cette instance n’a pas répondu ; réessayez plus tard.
