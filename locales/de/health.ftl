# Cohorts Oberfläche auf Deutsch: die Seiten zum Zustand der Gemeinschaft und ihre Diagramme.

## Die Seite (templates/health.html)
health-title = Zustand · { $title }
health-heading = Zustand der Gemeinschaft
health-every-group = Alle Gruppen auf { $home }
health-period = Die letzten 12 Wochen, jeweils Montag bis Montag (UTC); die letzte läuft noch.
health-other-instances = „Andere Instanzen“ meint Leute, deren Konto auf einem anderen Server als { $home } liegt.
health-other-instances-group = „Andere Instanzen“ meint Leute, deren Konto auf einem anderen Server als { $home } liegt, wo diese Gruppe zu Hause ist.
health-aggregates = Nur zusammengefasste Zahlen.
health-csv = CSV herunterladen
health-instances-csv = Instanzen als CSV
health-json = JSON
health-totals = Über die 12 Wochen
health-posts = Beiträge
health-replies = Antworten
health-reply-share = ({ $percent }{"\u00A0"}% von anderen Instanzen)
health-questions = Fragen
health-answered-share = ({ $percent }{"\u00A0"}% beantwortet)
health-answers-from-other-instances = Akzeptierte Antworten von anderen Instanzen
health-answers-of = { $answers } von { $answered }
health-instances = Beteiligte Instanzen
health-figures = { $chart }: die Zahlen

## Die Diagramme (src/http/web/health.rs)
health-active = Aktive Mitglieder
health-active-about = Verschiedene Personen, die in der Woche etwas gepostet, geantwortet oder abgestimmt haben.
health-writing = Beiträge und Antworten
health-writing-about = Beiträge sowie Antworten von der Heimatinstanz und von anderen Instanzen, gestapelt, pro Woche.
health-replies-home = Antworten von der Heimatinstanz
health-replies-other = Antworten von anderen Instanzen
health-asked = Gestellte und beantwortete Fragen
health-asked-about = Die in jeder Woche gestellten Fragen und wie viele davon inzwischen eine akzeptierte Antwort haben.
health-answered = Beantwortet
health-waits = Median der Zeit bis zur ersten Antwort und bis zur akzeptierten Antwort
health-waits-about = Für die Beiträge und Fragen jeder Woche: die mittlere Wartezeit (Median) auf die erste Antwort von jemand anderem und auf die akzeptierte Antwort. Lücken: noch keine.
health-first-reply = Erste Antwort
health-accepted-answer = Akzeptierte Antwort
health-across = Über Organisationen hinweg
health-across-about = Der Anteil der Antworten und der akzeptierten Antworten, die auf anderen Instanzen als der Heimatinstanz geschrieben wurden, pro Woche.
health-instances-about = Beiträge und Antworten der Leute jeder Instanz über die 12 Wochen, die meisten zuerst.
health-instance = Instanz
health-accepted-answers = Akzeptierte Antworten
health-home = { $domain } (Heimat)

## Was die Diagramme schreiben (src/http/web/charts.rs)
health-week-starting = Woche ab
health-weeks-range = Wochen ab { $first } bis { $last }.
health-series-latest = { $series }: zuletzt { $latest }, Höchstwert { $highest }.
health-series-empty = { $series }: keine Daten.
health-point = { $series }: { $value }, Woche ab { $week }
health-ranking-empty = Noch keine Beiträge oder Antworten.

## Werte
health-decimal-separator = ,
health-percent = { $n }{"\u00A0"}%
health-minutes = { $n } min
health-hours = { $n } h
# Wartezeiten ab zwei Tagen.
health-days = { $n } Tage
