# ruff: noqa: E501  (CSS rules read best one per line)
"""The chat's stylesheet and click behaviour (kept apart from the layout code)."""

CSS = """
.gradio-container { max-width: 1380px !important; margin: 0 auto !important; }
#adv-header { border-bottom: 1px solid #d0d5dd; padding: 4px 0 10px 0; margin-bottom: 4px; }
#adv-header .adv-title { font-size: 1.35rem; font-weight: 650; color: #101828; }
#adv-header .adv-sub { color: #475467; font-size: .92rem; margin-top: 2px; }
.adv-transcript { display: flex; flex-direction: column; gap: 18px; }
#adv-transcript { max-height: calc(100vh - 290px) !important; min-height: 320px; overflow-y: auto !important; padding-right: 6px !important; }
.adv-turn { border: 1px solid #e4e7ec; border-radius: 10px; background: #fff; overflow: hidden; }
.adv-q { background: #f2f4f7; padding: 10px 14px; color: #101828; font-weight: 500; }
.adv-who { display: block; font-size: .72rem; text-transform: uppercase; letter-spacing: .05em;
  color: #667085; font-weight: 600; margin-bottom: 2px; }
.adv-a { padding: 12px 14px; color: #1d2939; line-height: 1.5; }
.adv-error { color: #b42318; background: #fef3f2; }
.adv-badges { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 10px; }
.adv-badge { display: inline-flex; align-items: stretch; border-radius: 6px; font-size: .8rem;
  border: 1px solid; overflow: hidden; white-space: nowrap; }
.adv-badge-name { padding: 2px 8px; background: #fff; color: #344054; }
.adv-badge-verdict { padding: 2px 8px; font-weight: 700; }
.adv-badge[data-policy="overall"] .adv-badge-name { font-weight: 700; }
.adv-prohibited { border-color: #d92d20; } .adv-prohibited .adv-badge-verdict { background: #d92d20; color: #fff; }
.adv-conditional { border-color: #dc6803; } .adv-conditional .adv-badge-verdict { background: #fdb022; color: #3d2000; }
.adv-not_prohibited { border-color: #079455; } .adv-not_prohibited .adv-badge-verdict { background: #079455; color: #fff; }
.adv-not_applicable, .adv-out_of_scope { border-color: #98a2b3; }
.adv-not_applicable .adv-badge-verdict, .adv-out_of_scope .adv-badge-verdict { background: #e4e7ec; color: #344054; }
.adv-informational { border-color: #1570ef; } .adv-informational .adv-badge-verdict { background: #1570ef; color: #fff; }
.adv-answer p { margin: 0 0 8px 0; }
.adv-answer h1, .adv-answer h2, .adv-answer h3, .adv-answer h4 { font-size: 1rem !important; font-weight: 700; margin: 12px 0 4px 0 !important; color: #101828; }
.adv-answer ul, .adv-answer ol { margin: 0 0 8px 18px; }
a.adv-cite-ref { font-size: .78em; vertical-align: super; text-decoration: none; color: #1570ef;
  font-weight: 600; padding: 0 1px; }
.adv-h { font-size: .74rem; text-transform: uppercase; letter-spacing: .05em; color: #667085;
  font-weight: 650; margin: 12px 0 6px 0; }
.adv-policy { border-left: 3px solid #e4e7ec; padding: 2px 0 2px 10px; margin-bottom: 8px; }
.adv-policy-head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.adv-policy-title { color: #475467; font-size: .82rem; }
.adv-policy ul { margin: 4px 0 0 16px; padding: 0; font-size: .88rem; }
.adv-policy li { margin: 2px 0; }
.adv-rule { font-family: ui-monospace, Consolas, monospace; font-weight: 700; font-size: .82rem;
  background: #f2f4f7; border-radius: 4px; padding: 0 4px; }
.adv-fired .adv-rule { background: #fee4e2; color: #912018; }
.adv-near { color: #475467; }
.adv-also { color: #7a2e0e; }
.adv-outcomes { color: #475467; }
.adv-citation { border: 1px solid #e4e7ec; border-radius: 8px; margin: 6px 0; background: #fcfcfd; }
.adv-citation summary { cursor: pointer; padding: 6px 10px; font-size: .88rem; color: #101828; }
.adv-citation[open] summary { border-bottom: 1px solid #e4e7ec; }
.adv-citation.adv-flash { box-shadow: 0 0 0 3px #84caff; }
.adv-n { font-weight: 700; color: #1570ef; }
.adv-section { color: #475467; }
.adv-citation[open] > blockquote.adv-quote { margin: 8px 10px !important; }
.adv-quote { margin: 8px 10px; padding: 6px 10px; border-left: 3px solid #1570ef; background: #fff;
  font-family: Georgia, 'Times New Roman', serif; color: #1d2939; white-space: pre-wrap; }
.adv-cite-meta { font-size: .78rem; color: #475467; padding: 0 10px 8px 10px; }
.adv-kind { text-transform: uppercase; font-weight: 650; letter-spacing: .04em; }
.adv-verified { color: #067647; font-weight: 600; } .adv-unverified { color: #b42318; font-weight: 700; }
.adv-source { margin-left: 6px; }
.adv-foot { margin-top: 10px; font-size: .75rem; color: #667085; border-top: 1px dashed #e4e7ec;
  padding-top: 6px; }
.adv-guard-overridden, .adv-guard-degraded { color: #b54708; font-weight: 600; }
.adv-empty { border: 1px dashed #d0d5dd; border-radius: 10px; padding: 22px; color: #475467; }
.adv-empty-title { font-weight: 650; color: #101828; margin-bottom: 4px; }
.adv-facts { font-size: .88rem; }
.adv-facts .adv-h:first-child { margin-top: 0; }
.adv-facts-table { width: 100%; border-collapse: collapse; border: none !important; }
.adv-facts-table tr, .adv-facts-table thead { border: none !important; background: transparent !important; }
.adv-facts-table th, .adv-facts-table td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #f2f4f7;
  vertical-align: top; border-left: none !important; border-right: none !important;
  border-top: none !important; background: transparent !important; }
.adv-facts-table { table-layout: fixed; }
.adv-facts-table thead th:nth-child(1) { width: 34%; } .adv-facts-table thead th:nth-child(2) { width: 30%; }
.adv-facts-table thead th { font-size: .72rem; color: #667085; text-transform: uppercase; }
.adv-facts-table tbody th { font-weight: 600; color: #344054; }
.adv-value { font-weight: 600; color: #101828; }
.adv-from { color: #475467; font-style: italic; }
.adv-assumed { font-size: .7rem; font-style: normal; font-weight: 600; background: #fef0c7;
  color: #93370d; border-radius: 4px; padding: 0 4px; margin-left: 4px; }
.adv-unknown { color: #667085; font-size: .8rem; margin-top: 6px; }
.adv-assumptions, .adv-missing { margin: 0 0 0 16px; padding: 0; }
.adv-muted { color: #667085; }
#adv-side .adv-facts { padding: 2px; }
#adv-rate-label { padding: 6px 12px 0 12px; }
.adv-ask-back { border: 1px solid #fedf89 !important; background: #fffcf5 !important; border-radius: 8px !important; margin: 2px 0 !important; padding: 8px 10px !important; }
.adv-ask-q { font-weight: 600; color: #101828; font-size: .92rem; }
.adv-ask-q[data-why="assumed"] { color: #93370d; }
.adv-ask-q[data-why="conflicting"] { color: #b42318; }
.adv-ask-hint { font-weight: 400; color: #667085; font-size: .78rem; margin-top: 2px; }
.adv-choices { gap: 6px !important; flex-wrap: wrap !important; background: transparent !important; }
.adv-choices button.adv-choice { flex: 0 1 auto !important; width: auto !important; min-width: 0 !important;
  border: 1px solid #84adff !important; background: #fff !important; color: #1849a9 !important; border-radius: 14px !important; padding: 2px 10px !important; }
.adv-choices button.adv-choice:hover { background: #eff4ff !important; }
.adv-ask-back { gap: 4px !important; }
.adv-confirmed { background: #ecfdf3; color: #085d3a; font-size: .82rem; padding: 6px 14px; border-bottom: 1px solid #d1fadf; }
.adv-status { font-size: .7rem; font-style: normal; font-weight: 600; border-radius: 4px; padding: 0 4px; margin-left: 4px; }
.adv-status.adv-assumed { background: #fef0c7; color: #93370d; }
.adv-status.adv-user { background: #d1fadf; color: #085d3a; }
.adv-status.adv-conflicting { background: #fee4e2; color: #912018; }
"""

#: Citation links open and highlight their source card (runs once when the chat loads).
TRANSCRIPT_JS = """
element.addEventListener('click', function (event) {
  const link = event.target.closest('a.adv-cite-ref');
  if (!link) { return; }
  event.preventDefault();
  const card = element.querySelector(link.getAttribute('href'));
  if (!card) { return; }
  card.open = true;
  card.classList.add('adv-flash');
  const box = element.closest('#adv-transcript') || element;
  box.scrollTop += card.getBoundingClientRect().top - box.getBoundingClientRect().top - 60;
  setTimeout(function () { card.classList.remove('adv-flash'); }, 1600);
});
// A new answer: bring the start of the latest turn into view inside the transcript.
let seen = 0;
new MutationObserver(function () {
  const turns = element.querySelectorAll('section.adv-turn');
  if (turns.length > seen) {
    const box = element.closest('#adv-transcript') || element;
    const last = turns[turns.length - 1];
    box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
  }
  seen = turns.length;
}).observe(element, {childList: true, subtree: true});
"""
