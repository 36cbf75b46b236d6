# L’interface de Cohort en français : la base de connaissances, les pages d’un groupe (lire
# une page, son historique et ses différences, la modifier, en écrire une nouvelle, et les
# modifications envoyées à un groupe hébergé ailleurs).

## Une page (templates/page.html)
page-knowledge-base = base de connaissances
page-revision-when = version { $n }, { $when }
page-removed = retirée par la modération
page-reported = Merci : votre signalement a été transmis à la modération du groupe.
page-conflict-heading = Enregistrée entre-temps par quelqu’un d’autre
page-conflict = Votre modification portait sur la version { $base } ; la page en est maintenant à la version { $current }. Rien de votre travail n’est perdu : votre texte se trouve dans le formulaire ci-dessous. Voici ce qui a changé depuis la version { $from } ; reportez vos modifications dans le texte le plus récent et enregistrez de nouveau.
page-diff-heading = Modifications de la version { $from } à la version { $to }
page-diff-title = Titre :
page-edit-heading = Modifier
page-edit-body = Texte (markdown ; { $link } renvoie vers une autre page du groupe)
page-link-syntax = [[adresse]]
page-edit-summary = Ce que vous avez modifié (facultatif)
page-save = Enregistrer
page-history = Historique
page-history-revision = Version { $n }
page-history-someone = quelqu’un
page-history-removed = texte retiré par la modération
page-history-restore = Rétablir son texte
page-history-remove = Retirer son texte
page-history-changes = modifications
page-history-compare = comparer avec la plus récente

## Une nouvelle page (templates/page_new.html)
page-new-title = Nouvelle page
page-new-heading = Une nouvelle page
page-new-slug = Adresse (facultative : tirée du titre)
page-new-slug-help = Lettres minuscules et chiffres, mots reliés par des traits d’union ; les autres pages y renvoient avec { $link }.
page-new-slug-syntax = [[adresse]]
page-new-body = Texte (markdown)
page-new-summary = Résumé (facultatif)

## Modifications envoyées à un groupe hébergé ailleurs (templates/page_proposals.html, page_sent.html)
page-proposals-heading = Vos modifications envoyées au groupe
page-proposals-intro = { $group } est hébergé sur une autre instance, qui conserve ses pages : une modification y est enregistrée, puis apparaît ici dès que le groupe l’annonce.
page-proposal-edit = { $when }, sur la version { $n } :
page-proposal-new = { $when }, une nouvelle page :
page-proposal-refused-by = refusée par le groupe
page-proposal-refused = { $refused } : { $reason }. Rien de ce que vous avez écrit n’est perdu :
page-proposal-your-text = Votre texte
page-proposal-your-text-sent = Votre texte, tel qu’envoyé
page-proposal-waiting = en attente de la réponse du groupe
page-sent-heading = Une nouvelle page, envoyée au groupe
page-refusal-edit_conflict = la page a été enregistrée depuis la version sur laquelle portait votre modification
page-refusal-conflict = la page a été enregistrée depuis la version sur laquelle portait votre modification
page-refusal-forbidden = vous ne pouvez pas modifier cette page
page-refusal-banned = vous êtes banni du groupe
page-refusal-locked = la page est verrouillée
page-refusal-deleted = la page a été supprimée
page-refusal-name_taken = une autre page a déjà cette adresse
page-refusal-taken = une autre page a déjà cette adresse
page-refusal-invalid = la modification n’est pas valide
page-refusal-not_found = la page est introuvable
page-refusal-unchanged = la page est déjà identique à cette modification
