# L'interface de Cohort en français : les pages sur la santé de la communauté et leurs graphiques.

## La page (templates/health.html)
health-title = Santé · { $title }
health-heading = Santé de la communauté
health-every-group = Tous les groupes hébergés sur { $home }
health-period = Les 12 dernières semaines, de lundi à lundi (UTC) ; la dernière est encore en cours.
health-other-instances = « Autres instances » désigne les personnes dont le compte est sur un autre serveur que { $home }.
health-other-instances-group = « Autres instances » désigne les personnes dont le compte est sur un autre serveur que { $home }, où vit ce groupe.
health-aggregates = Uniquement des agrégats.
health-csv = Télécharger le CSV
health-instances-csv = CSV des instances
health-json = JSON
health-totals = Sur les 12 semaines
health-posts = Publications
health-replies = Réponses
health-reply-share = ({ $percent }{"\u00A0"}% d’autres instances)
health-questions = Questions
health-answered-share = ({ $percent }{"\u00A0"}% résolues)
health-answers-from-other-instances = Réponses acceptées venant d’autres instances
health-answers-of = { $answers } sur { $answered }
health-instances = Instances participantes
health-figures = { $chart } : les chiffres

## Les graphiques (src/http/web/health.rs)
health-active = Membres actifs
health-active-about = Personnes distinctes ayant publié, répondu ou voté chaque semaine.
health-writing = Publications et réponses
health-writing-about = Publications, et réponses venant de l’instance d’origine et d’autres instances, empilées, chaque semaine.
health-replies-home = Réponses venant de l’instance d’origine
health-replies-other = Réponses venant d’autres instances
health-asked = Questions posées et résolues
health-asked-about = Les questions posées chaque semaine, et combien d’entre elles ont maintenant une réponse acceptée.
health-answered = Résolues
health-waits = Délai médian avant la première réponse et avant la réponse acceptée
health-waits-about = Pour les publications et questions de chaque semaine : l’attente médiane avant la première réponse d’une autre personne, et avant la réponse acceptée. Trous : pas encore de valeur.
health-first-reply = Première réponse
health-accepted-answer = Réponse acceptée
health-across = Entre organisations
health-across-about = La part des réponses, et des réponses acceptées, écrites sur d’autres instances que celle d’origine, chaque semaine.
health-instances-about = Publications et réponses sur les 12 semaines par les personnes de chaque instance, de la plus active à la moins active.
health-instance = Instance
health-accepted-answers = Réponses acceptées
health-home = { $domain } (origine)

## Ce que les graphiques écrivent (src/http/web/charts.rs)
health-week-starting = Semaine du
health-weeks-range = Semaines du { $first } au { $last }.
health-series-latest = { $series } : dernière valeur { $latest }, maximum { $highest }.
health-series-empty = { $series } : aucune donnée.
health-point = { $series } : { $value }, semaine du { $week }
health-ranking-empty = Pas encore de publication ni de réponse.

## Valeurs
health-decimal-separator = ,
health-percent = { $n }{"\u00A0"}%
health-minutes = { $n }{"\u00A0"}min
health-hours = { $n }{"\u00A0"}h
# Des attentes de deux jours ou plus.
health-days = { $n } jours
