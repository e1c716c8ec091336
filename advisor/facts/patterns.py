"""The phrasings the extractor reads, as ordered (pattern, value) tables per fact.

Order matters: the first table entry that matches wins, so negations ("not in real time")
and narrower readings come before broader ones.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE


def _table(*rows: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, _I), value) for pattern, value in rows)


SERVICE = _table(
    (r"\b(?:azure\s+ai\s+face|azure\s+face(?:\s+api)?|face\s+api|face\s+service|"
     r"video\s+indexer|cognitive\s+services?\s+face|face\s+identification\s+service|"
     r"limited\s+access\s+face)\b", "azure_ai_face"),
    (r"\b(?:azure?[\s-]*open[\s-]*ai|aoai|azure-openai|gpt-?4(?:o|\s*turbo|\s*vision)?(?:\s+on\s+azure)?|"
     r"gpt-?3\.5|openai\s+service|gpt\s+on\s+azure|gpt-4\s+turbo\s+with\s+vision|"
     r"azure\s+ai\s+foundry|azure\s+ai\s+studio)\b", "azure_openai"),
    (r"\b(?:rekognition|aws|amazon|google\s+(?:cloud\s+)?vision|clearview|pimeyes|"
     r"open[- ]source\s+model|in-house\s+model|our\s+own\s+model|llama|mistral|"
     r"hugging\s*face|openai\s+api|chatgpt)\b", "other"),
)

#: "this", "the service": taken to mean Azure OpenAI Service.
SERVICE_PRONOUN = re.compile(
    r"\b(?:this|the\s+service|this\s+service|this\s+model|the\s+model|the\s+api|this\s+api|"
    r"your\s+service|this\s+tool|use\s+it|using\s+it|deploy\s+it|run\s+it)\b", _I)

PURPOSE_BLOCK_ID = re.compile(
    r"\b(?:without|not|never|no|don't|do\s+not|won't|will\s+not|isn't|rather\s+than)\s+"
    r"(?:\w+\s+){0,2}(?:identif\w*|recogni\w*|facial\s+recognition|match\w*|compar\w*|nam\w*)",
    _I)

#: "ski race", "horse race": a sporting event, not ethnicity (fixed-width lookbehinds).
_NOT_A_RACE_EVENT = "".join(
    f"(?<!{word} )" for word in ("ski", "car", "horse", "bike", "boat", "road", "cycle", "relay",
                                 "motor", "yacht", "dog", "drag", "sack", "fun", "cycling",
                                 "running", "charity", "sailing", "rowing", "boat", "kart"))

PURPOSE = _table(
    (r"\bscrap(?:e|es|ed|ing)\b|\bcrawl(?:s|ed|ing)?\s+(?:the\s+)?(?:web|internet|social)|"
     r"\bharvest(?:s|ed|ing)?\s+(?:images|photos|faces|selfies)|"
     r"\b(?:images|photos|faces|pictures)\s+(?:from|off)\s+(?:the\s+)?(?:internet|web|social\s+media)|"
     r"\bcrawl(?:s|ed|ing)?\s+(?:\w+\s+){0,3}(?:webcams?|cameras?|cctv|feeds|(?:web)?sites?|"
     r"pages|profiles|accounts|platforms)|"
     r"\b(?:collect|gather|harvest|download|hoover|grab|sav|stor|pull|copy|copie)\w*\s+(?:up\s+)?"
     r"(?:every|all|each|any)\s+(?:the\s+)?(?:faces?|facial\s+images?|face\s+images?|headshots?)"
     r"\b|\b(?:faces?|images|photos|pictures|footage)\s+(?:from|off)\s+(?:\w+\s+){0,2}"
     r"(?:webcams?|cctv\s+feeds|live\s+streams|online\s+sources)",
     "scraping"),
    (r"\bsocial(?:ly)?[- ]scor\w*|\bsocial\s+credit|\btrustworthiness\s+scores?|"
     r"\bcitizen\s+scores?|"
     r"\bpredictive\s+profiling|\bscore\s+(?:citizens|people|residents|tenants|applicants)\b|"
     r"\btrustworth\w*|\blow\s+scor\w*|\bcut\s+(?:\w+\s+)?(?:payments|benefits)\b|"
     r"\bpredict\w*\s+(?:\w+\s+){0,6}(?:commit\w*|criminal\w*|crimes?|offend\w*|reoffend\w*)|"
     r"\blikely\s+to\s+(?:commit|offend|reoffend)\b|"
     r"\b(?:good[- ])?(?:citizen(?:ship)?|behaviou?r(?:al)?|conduct|civic|reputation|"
     r"loyalty|social)['\"’”]?\s+(?:scores?|ratings?|rankings?|grades?|points)\b|"
     r"\b(?:rat(?:e|es|ed|ing)|rank(?:s|ed|ing)?|grad(?:e|es|ed|ing)|scor(?:e|es|ed|ing))\s+(?:every\s+|all\s+|each\s+)?(?:\w+\s+)?"
     r"(?:citizens|people|residents|applicants|users|tenants|customers|individuals|families)\s+"
     r"(?:by|on|from|based\s+on|according\s+to)\s+(?:their\s+|how\s+they\s+)?(?:social|online|"
     r"behaviou?r|conduct|lifestyle|private\s+li(?:fe|ves)|political|posts|friends)|"
     r"\b(?:ratings?|scores?|rankings?)\s+(?:\w+\s+){0,3}(?:from|based\s+on|using)\s+(?:their\s+)?"
     r"(?:social\s+media|online|social)\s+(?:behaviou?r|activity|posts|conduct|li(?:fe|ves)|"
     r"presence|footprint)",
     "social_scoring"),
    (_NOT_A_RACE_EVENT + r"\brace\b(?!\s+(?:track|course|day|meeting|event|weekend|route|"
     r"participants|runners|organi[sz]\w*))|"
     r"\b(?:racial|ethnicity|ethnic\s+origin|religion|religious\s+(?:belief|affiliation)s?|"
     r"sexual\s+orientation|sex\s+life|political\s+(?:opinions?|views|leanings?|affiliations?)|"
     r"trade[- ]union|union\s+membership|gay|homosexual)\b", "categorisation"),
    (r"\b(?:emotions?|emotional\s+states?|moods?|engagement|sentiment|feelings|"
     r"facial\s+expressions?|how\s+(?:happy|angry|sad|stressed)|(?:happy|angry|sad|bored|stressed|"
     r"frustrated|attentive|nervous)\s+(?:they|people|customers|students|staff|employees)\s+(?:are|look)|"
     r"bored(?:om)?|confused|confusion|frustrat\w*|happy|happiness|sadness|angry|anger|stress(?:ed)?|"
     r"anxious|anxiety|morale|attentive\w*|attention\s+levels?|enthusias\w*|satisf(?:ied|action)|"
     r"pay(?:s|ing)?\s+attention|concentrat(?:e|es|ed|ing|ion)|(?:un)?focus(?:ed)?\s+levels?|"
     r"levels?\s+of\s+(?:focus|attention|concentration)|how\s+(?:focused|attentive|engaged)|"
     r"(?:is|are|stay|stays|staying)\s+(?:\w+\s+)?(?:focused|engaged|distracted)|distracted|"
     r"distraction|interest\s+levels?)",
     "emotion_inference"),
    (r"\b(?:(?:estimat\w*|guess\w*|predict\w*|infer\w*|detect\w*)\s+(?:the\s+|their\s+)?"
     r"(?:age|gender|sex)\b|age\s+and\s+gender|gender\s+and\s+age|age\s+estimation|"
     r"smile|facial\s+hair|makeup|make-up|hair\s+colou?r)", "attribute_inference"),
    (r"\b(?:verif(?:y|ies|ied|ying|ication)|unlock\w*|1:1|one-to-one|authenticat\w*|"
     r"confirm\w*\s+(?:their|his|her|the\s+person's|someone's|a\s+person's|customers')?\s*identit\w*|"
     r"face\s+id|selfie\s+checks?|liveness|access\s+control|badge\s+in|touchless\s+(?:entry|access)|"
     r"check[- ]in\s+by\s+face|(?:face|facial)[- ](?:based\s+)?(?:entry|access|log[- ]?in|"
     r"sign[- ]?in|check[- ]?in|boarding|payments?)|(?:entry|access|log[- ]?in)\s+by\s+face|"
     r"(?:open|unlock)\w*\s+(?:the\s+|a\s+|our\s+)?(?:front\s+|office\s+)?doors?|"
     r"door\s+(?:access|entry)|(?:doors?|gates?|turnstiles?|entrances?|entry|boarding|"
     r"check[- ]?in|log[- ]?in|sign[- ]?in|pay\w*)\s+by\s+(?:their\s+)?faces?|"
     r"(?:let|allow)\s+(?:\w+\s+){1,3}in\s+(?:\w+\s+){0,4}by\s+(?:their\s+)?faces?|"
     r"(?:is|are)\s+(?:really\s+|actually\s+)?(?:the\s+)?same\s+(?:person|people|individual)|"
     r"same\s+(?:person|individual)\s+as|who\s+(?:they|he|she)\s+(?:say|says|claim|claims)\s+"
     r"(?:they|he|she)\s+(?:are|is)|"
     r"(?:match\w*|compar\w*|check\w*)\s+(?:\w+\s+){0,4}(?:to|with|against)\s+(?:the\s+|their\s+|"
     r"his\s+|her\s+|a\s+|an\s+)?(?:passport|id|id\s+card|identity\s+(?:card|document)|"
     r"driving\s+licen[cs]e|driver's\s+licen[cs]e|badge|document)\s*(?:photos?|pictures?|"
     r"scans?|images?)?|"
     r"(?:open|unlock|access|enter|start|release|pay|board)\w*\s+(?:\w+\s+){0,4}(?:with|using|by)"
     r"\s+(?:their|his|her|your|one's|a)\s+(?:faces?|face\s+scans?|facial\s+scans?))\b",
     "verification"),
    (r"\b(?:identif(?:y|ies|ied|ying|ication)|recogni[sz](?:e|es|ed|ing|tion)|"
     r"face[- ]?(?:match\w*|search\w*|recog\w*|rec\b)|facial[- ]?(?:recog\w*|rec\b|match\w*)|"
     r"match\w*\s+(?:the\s+)?(?:faces?|people|them|against|to\s+a|passers-?by|visitors)|"
     r"watch\s?-?lists?|1:n|mugshots?|who\s+(?:someone|somebody|people|they|a\s+person|"
     r"each\s+person|he|she)\s+(?:is|are)|find\s+(?:a\s+|the\s+)?(?:specific\s+)?(?:suspects?|"
     r"missing|wanted|kidnapp\w*|abduct\w*|victims?)|spot\s+(?:wanted|suspects)|"
     r"search\w*\s+(?:\w+\s+){0,2}for\s+(?:a\s+|the\s+)?(?:specific\s+)?(?:suspects?|missing|"
     r"wanted|kidnapp\w*|abduct\w*|victims?)|"
     r"look\s+(?:up|for)\s+(?:a\s+|the\s+)?(?:suspects?|wanted|missing)|"
     r"database\s+of\s+(?:suspects|faces|mugshots|(?:prior\s+)?inmates|offenders)|"
     r"put\s+names\s+to\s+faces|name\s+the\s+people|"
     r"flag\w*\s+(?:\w+\s+){0,2}(?:wanted|suspects?|known\s+offenders|banned|barred)|"
     r"who\s+(?:appears|shows\s+up|is\s+(?:in|on)\s+(?:it|them|the))|"
     r"name\s+(?:the\s+)?(?:drivers|individuals|persons|suspects|faces|them|everyone|passengers)|"
     r"face\s+searches|search\w*\s+(?:for\s+)?faces|live[- ]id\b|face[- ]id\s+(?:suspects|"
     r"people|everyone))", "identification"),
    (r"\b(?:surveil\w*|persistent(?:ly)?\s+track\w*|track\w*\s+(?:people|ppl|folks|them|him|her|"
     r"individuals|persons|"
     r"everyone|movements|shoppers|protesters|citizens|a\s+person|someone|employees'?|staff|"
     r"workers|customers|visitors|students)|"
     r"monitor\w*\s+(?:people|ppl|folks|crowds|protesters|citizens|individuals)|follow\w*\s+(?:people|someone|"
     r"a\s+person)\s+across|track\w*\s+(?:the\s+)?(?:location|whereabouts|movements?)\s+of|"
     r"follow\w*\s+(?:\w+\s+){0,3}(?:through|across)\s+(?:\w+\s+){0,4}(?:cameras?|feeds|cctv)|"
     r"log\w*\s+where\s+(?:she|he|they|people)\s+go)", "surveillance"),
    (r"\b(?:blur\w*|redact\w*|pixelat\w*|anonymi[sz]\w*|mask\w*\s+faces|"
     r"detect\w*\s+(?:faces|people|persons|whether|if)|face\s+detection|"
     r"count(?:s|ed|ing|er|ers)?\b(?!\s+(?:as|on|towards?|against)\b)|"
     r"people[- ]counting|footfall|occupancy|crowd\s+(?:size|density|counts?)|"
     r"fatigue\w*|drows\w*|sleepiness|sleepy|tired(?:ness)?|exhaust(?:ed|ion)|alertness|"
     r"(?:signs?\s+of\s+|detect\w*\s+|measur\w*\s+|assess\w*\s+|monitor\w*\s+|read\w*\s+|"
     r"estimat\w*\s+|score\w*\s+)(?:the\s+|their\s+)?pain\b|pain\s+(?:levels?|scores?|scales?|"
     r"expressions?|in\s+(?:\w+\s+){0,2}faces?)|how\s+much\s+pain|in\s+pain\b|"
     r"how\s+many\s+people|headcount|"
     r"how\s+many\s+(?:\w+\s+){0,2}(?:customers|visitors|shoppers|passengers|guests|fans|"
     r"attendees|pedestrians|cyclists|persons|students|pupils|staff|employees|workers|patients|"
     r"spectators|riders|commuters|cars|vehicles|diners|travell?ers)|"
     r"queu\w*\s+(?:length|size|times?|lengths)|(?:length|size)\s+of\s+(?:the\s+)?queues?|"
     r"how\s+long\s+(?:the\s+)?(?:queues?|lines?|waits?)|wait(?:ing)?\s+times?|"
     r"crowd\s+levels?|how\s+(?:busy|crowded|full)|"
     r"estimat\w*\s+(?:the\s+)?(?:number|size|attendance)|"
     r"(?:whether|if)\s+(?:a\s+|the\s+)?faces?\s+(?:is|are)\s+(?:visible|present|in\s+frame)|"
     r"well[- ]lit|(?:photo|image)\s+quality)", "detection_or_redaction"),
    (r"\b(?:transcri\w*|summari[sz]\w*|draft\w*\s+(?:\w+\s+){0,2}reports?|"
     r"(?:incident|police|case|arrest)\s+reports?|write\s+(?:\w+\s+){0,2}reports?|"
     r"crime\s+(?:statistics|stats|data|trends)|statistics|translat\w*|paperwork|case\s+notes|"
     r"chatbot|answer\s+(?:citizen\s+)?questions|classify\s+emails|search\s+(?:case\s+)?documents|"
     r"alt[- ]text|caption\w*|newsletters?|proofread\w*|press\s+releases?|grammar|"
     r"blog\s+posts?|marketing\s+copy|describ\w*\s+(?:the\s+)?(?:photos|images|pictures|scenes?))",
     "non_biometric"),
)

#: Text and code tasks: with no biometric or tracking word anywhere, the purpose is
#: non-biometric (the service's everyday use), not an open fact.
TEXT_TASK = re.compile(
    r"\b(?:writ(?:e|es|ing)|draft\w*|compos\w*|generat\w*|summari[sz]\w*|translat\w*|"
    r"rewrit\w*|edit(?:s|ing)?|proofread\w*|answer\w*|classif\w*|extract\w*|analy[sz]\w*|"
    r"review\w*|search\w*|cod(?:e|es|ing)|program\w*|debug\w*|brainstorm\w*|chat\w*|"
    r"respond\w*|reply|replies|categori[sz]\w*)\s+(?:\w+\s+){0,4}?(?:e-?mails?|letters?|"
    r"contracts?|documents?|docs|tickets?|code|scripts?|queries|questions|texts?|articles?|"
    r"copy|content|reports?|memos?|minutes|notes|policies|invoices?|reviews?|feedback|"
    r"messages?|posts?|essays?|summaries|descriptions?|faqs?|manuals?|specs?|proposals?|"
    r"newsletters?|translations?|slides?|presentations?|software|apps?|functions?|sql|"
    r"spreadsheets?|data|files?|chats?|customers?|complaints?|requests?|calls?\s+transcripts?)\b",
    _I)

#: Any word about bodies, cameras, tracking or identity: a text task with one is not
#: plainly non-biometric.
BIOMETRIC_ANY = re.compile(
    r"\b(?:faces?|facial|biometric\w*|cameras?|cams?|cctv|webcams?|bodycams?|dashcams?|"
    r"footage|videos?|images?|photos?|pictures?|selfies?|voices?|voiceprints?|fingerprints?|"
    r"iris|gait|surveil\w*|track\w*|monitor\w*|identif\w*|recogni[sz]\w*|verif\w*|emotion\w*|"
    r"mugshots?|watch\s?lists?|location|whereabouts|drones?|audio|recordings?)\b", _I)


#: "face id": unlocking a phone is verification; on cameras or for police it names people.
FACE_ID = re.compile(r"face[- ]?id", _I)
CAMERA_WORDS = re.compile(r"\b(?:cams?|cameras?|cctv|footage|videos?|bodycams?|dashcams?|"
                          r"drones?|crowds?|streets?)\b", _I)
POLICE_WORDS = re.compile(r"\b(?:police|cops?|officers?|law\s+enforcement|sheriffs?|"
                          r"suspects?|wanted)\b", _I)

#: Number-plate reading is not about faces unless faces are mentioned too.
PLATES = re.compile(r"\b(?:number|licen[cs]e|registration)\s+plates?\b|\banpr\b|\balpr\b", _I)
FACE_WORDS = re.compile(r"\b(?:faces?|facial|biometric\w*)\b", _I)

#: Sentiment or engagement only counts as emotion recognition when read from people's bodies.
BIOMETRIC_CUE = re.compile(
    r"\b(?:face|faces|facial|expressions?|voice|voices|camera|cameras|webcams?|videos?|cctv|"
    r"body\s+language|eye|eyes|gaze|biometrics?|footage|images?|photos?|selfies?|"
    r"sound|sounds|sounding|tone\s+of\s+voice|speech|audio|headsets?)\b|"
    r"\b(?:look|looks|looked|looking|seem|seems|appear|appears)\s+(?:\w+\s+)?(?:happy|sad|angry|"
    r"stressed|bored|frustrated|nervous|anxious|upset|engaged|attentive|confused)\b|"
    r"\bhow\s+(?:happy|sad|angry|stressed|bored|frustrated|nervous|anxious|upset|engaged|"
    r"attentive|confused)\s+(?:\w+\s+){0,3}(?:look|looks|looked|seem|seems|appear|appears)\b",
    _I)

#: Attention or concentration words: an inference about people's state of mind when said
#: of people, even with no camera named ("tell if students are concentrating").
ATTENTION = re.compile(
    r"\b(?:attentive\w*|attention|concentrat\w*|focus\w*|distract\w*|engage\w*)\b", _I)
PEOPLE = re.compile(
    r"\b(?:students?|pupils?|learners?|employees?|staff|workers?|agents?|candidates?|"
    r"children|kids|people|customers?|participants?|attendees?|audiences?|viewers?|users?|"
    r"drivers?|patients?|applicants?|interviewees?|teams?)\b", _I)

#: Anything about faces or cameras: with no stated purpose, identification is assumed.
CAMERA_OR_FACE = re.compile(
    r"\b(?:cam|cams|camera|cameras|cctv|footage|video|videos|faces?|facial|bodycams?|dashcams?|"
    r"drones?|images?|photos?|mugshots?)\b", _I)

TIMING = _table(
    (r"\bnot\s+(?:in\s+)?(?:real[- ]?time|live)\b|\bafter\s+the\s+fact|\bafter-the-fact|"
     r"\b(?:recorded|stored|archived|saved|historical|past|old)\s+(?:\w+\s+)?(?:footage|video|"
     r"recordings?|images|clips)|\bretrospective\w*|\bafterwards\b|\blater\b|\bpost[- ](?:event|"
     r"incident|hoc)|\bpost[- ]?rbi\b|\bthe\s+next\s+day\b|\bafter\s+(?:an?\s+)?(?:incident|"
     r"arrest|event)|\breview\w*\s+(?:the\s+)?(?:\w+\s+){0,2}(?:footage|recordings?|videos?|clips)|"
     r"\b(?:\w+\s+)?(?:days?|hours?|weeks?)\s+after\b|\bafter\s+(?:each|every|the|a|an)\s+"
     r"(?:shift|patrol|robbery|crime|attack|incident|arrest|event|riot|match)\b|"
     r"\b(?:recorded|stored|archived|saved|historical|old)\s+(?:cctv|camera|bodycam|body[- ]cam)|"
     r"\b(?:footage|video|recordings?|cctv|clips|images)\s+(?:\w+\s+){0,2}from\s+(?:last|the\s+"
     r"(?:last|past|previous))\s+(?:\w+\s+)?(?:year|month|week|night|day|weekend|summer)|"
     r"\b(?:last|previous)\s+(?:year|month|week|night)'s\s+(?:\w+\s+)?(?:footage|videos?|"
     r"recordings?|cctv|images)|\barchives?\b", "post"),
    (r"\breal[- ]?time\b|\bnear[- ]real[- ]time\b|\blive[- ]?(?:face|facial|recognition|"
     r"match\w*|feeds?|video|streams?|cameras?|cctv|footage|identif\w*|scan\w*|monitor\w*|"
     r"biometric)|\blive\b\s*\??$|\bas\s+(?:it\s+happens|they\s+walk|people\s+walk)|"
     r"\b(?:match\w*|identif\w*|scan\w*|recogni\w*|search\w*|hunt\w*|running|run)\s+live\b|"
     r"\blive[- ]id\b|"
     r"\binstant(?:ly)?\b|\bon\s+the\s+spot\b|\bstreaming\b|"
     r"\b(?:the\s+(?:moment|instant|second)|as\s+soon\s+as|whenever|as)\s+(?:they|people|someone|"
     r"somebody|a\s+person|anyone|he|she|suspects?|\w+)\s+(?:appears?|arrives?|enters?|walks?\s+"
     r"(?:in|past|by|through)|pass(?:es)?\s+(?:by|through)|shows?\s+up|comes?\s+into\s+view|"
     r"steps?\s+(?:in|into|off|on))\b|"
     r"\b(?:match\w*|identif\w*|scan\w*|recogni\w*|flag\w*|spot\w*|track\w*)\s+"
     r"(?:(?!who\b|where\b|that\b|which\b|they\b)\w+\s+){1,3}live\b|"
     r"\bin\s+real\s+life\b", "real_time"),
)

CAMERA = _table(
    (r"\bnot\s+(?:via\s+|from\s+|with\s+)?cameras?\b|\bno\s+cameras?\b|"
     r"\bwithout\s+(?:a\s+)?cameras?\b|\baudio[- ]only\b", "none"),
    (r"\bbody[- ]?(?:worn|cams?|cameras?)\b|\bbodycams?\b|\bwearable\s+cameras?|"
     r"\blapel\s+cameras?|\bbody\s+worn\b", "body_worn"),
    (r"\bdash[- ]?(?:cams?|cameras?|board\s+cameras?|mounted)\b|\bdashcams?\b|"
     r"\bin-car\s+cameras?|\bvehicle[- ]mounted|\bpatrol[- ]car\s+cameras?|"
     r"\b(?:cameras?|cams?)\s+(?:in|on|from)\s+(?:a\s+|the\s+|their\s+|our\s+)?(?:(?:moving|patrol|"
     r"police)\s+){0,2}(?:vehicles?|cars?|vans?)\b|\bfrom\s+(?:a\s+|the\s+)?moving\s+(?:vehicles?|cars?|"
     r"vans?)\b", "dash"),
    (r"\bdrones?\b|\bmobile\s+(?:cameras?|phones?|devices?)|\bhand-?held\b|\bsmart\s*phones?\b|"
     r"\bphone\s+cameras?|\bsmart\s+glasses\b|\bofficers'?\s+phones?|\btablets?\b", "other_mobile"),
    (r"\bfixed\b|\bstationary\b|\b(?:wall|ceiling|pole|door)[- ]mounted\b|\bmounted\s+cameras?|"
     r"\bcctv\b|\bsecurity\s+cameras?|\bsurveillance\s+cameras?|\bdoorbell\s+cameras?|"
     r"\bstatic\s+cameras?|\b(?:ceiling|overhead|roof|wall)\s+cameras?|\binstalled\s+cameras?|\bip\s+cameras?|\b(?:lobby|entrance|station|"
     r"gate|turnstile|door)\s+cameras?|"
     r"\b(?:classroom|lecture[- ]hall|exam[- ]hall|hallway|corridor|canteen|cafeteria|office|"
     r"shop[- ]floor|store|shop|in-store|warehouse|factory|ward|checkout|till|counter|"
     r"parking|car[- ]park|platform|tram[- ]stop|bus[- ]stop|street|traffic|school|hospital|"
     r"building|perimeter|lift|elevator|stairwell|reception|kiosk|atm|town|city|square|"
     r"public|venue|stadium|arena|airport|depot|yard|plaza|mall|lobby)\s+(?:security\s+)?"
     r"(?:cameras?|cams?|webcams?)\b|"
     r"\bcameras?\s+(?:installed\s+)?(?:in|on|at|above|over)\s+(?:the\s+|each\s+|every\s+|its\s+|"
     r"our\s+|their\s+|a\s+)?(?:classrooms?|hall\w*|corridors?|ceilings?|walls?|entrances?|"
     r"doors?|lobby|lobbies|tills?|checkouts?|platforms?|stops?|gates?|poles?|lampposts?)\b|"
     r"\bwebcams?\b", "fixed"),
)

#: Public events: sports fixtures, races and festivals are open to an undetermined public.
#: Public-transport stops and vehicles: open to anyone with or without a ticket.
_STOPS = (
    r"\b(?:tram|bus|train|metro|subway|coach|taxi)\s+(?:stops?|shelters?|platforms?|ranks?)\b|"
    r"\b(?:on|aboard)\s+(?:the\s+)?(?:trams?|buses|trains?|metro)\b|"
)

_EVENTS = (
    r"\b(?:football|soccer|rugby|cricket|hockey|basketball|baseball|handball|volleyball|tennis|"
    r"sports?|sporting|cup|league|derby|home|away|play-?off)\s+(?:matche?s?|games?|fixtures?|"
    r"events?|tournaments?|finals?|days?)\b|\b(?:half[- ])?marathons?\b|\bfun\s+runs?\b|"
    r"\bsporting\s+events?\b|\bsports?\s+events?\b|\btournaments?\b|\bfan\s+(?:zones?|parks?|"
    r"fests?)\b|\bcarnivals?\b|\bfunfairs?\b|\b(?:street|county|trade|christmas|book)\s+fairs?\b|"
    r"\bolympic\w*|\bworld\s+cup\b|\bgrand\s+prix\b|\btour\s+de\s+france\b|\bcycle\s+races?\b|"
    r"\b(?:ski|horse|bike|cycle|cycling|road|car|motor|boat|charity|running)\s+races?\b|"
    r"\bstreet\s+part(?:y|ies)\b|\bopen[- ]air\s+(?:events?|concerts?|cinema)\b|"
    r"\b(?:political\s+)?rall(?:y|ies)\b|\bpride\s+(?:march|parade|events?)\b|\bmarch(?:es)?\s+"
    r"through\b|\bspectators\b|\bfans\s+(?:at|in|entering|arriving)\b|\bgigs?\b"
)

SETTING = _table(
    (r"\bnot\s+(?:in\s+)?(?:a\s+)?controlled\b|\bin\s+the\s+wild\b|\bon\s+patrol\b|\bpatrol\w*\b|"
     r"\b(?:driv\w*|cruis\w*|roam\w*)\s+(?:a)?round\b|\bwhile\s+(?:they\s+|officers\s+|we\s+)?"
     r"(?:driv\w*|on\s+the\s+move|moving)\b|\b(?:from|in|on)\s+(?:a\s+|the\s+|their\s+|our\s+)?"
     r"moving\s+(?:police\s+|patrol\s+)?(?:vehicles?|cars?|vans?)\b|\bon\s+the\s+(?:move|road)\b|"
     r"\bstreets?\b|\bin\s+public\b|\bpublic\s+(?:space|spaces|place|places|square|areas?)|"
     r"\boutdoors?\b|\bstadiums?\b|\bairports?\b|\b(?:train|railway|metro|subway|bus)\s+stations?|"
     r"\bstation\s+cameras?|(?<!police\s)(?<!the\s)\bstations?\b|\bcentraal\b|"
     r"\bcentral\s+station\b|\bstade\b|\bstadion\b|\bestadio\b|\barenas?\b|\bconcerts?\b|\bprotests?\b|\bdemonstrations?\b|\bfestivals?\b|"
     r"\b(?:city|town)\s+cent(?:re|er)\b|\bshopping\s+(?:centre|center|mall|street)|\bmalls?\b|"
     r"\bcrowds?\b|\bmarkets?\b|\bsquares?\b|\bparks?\b|\bin\s+the\s+field\b|\bon\s+the\s+beat\b|"
     r"\bparades?\b|\bpublic\s+transport\b|\bsupermarkets?\b|\bshops?\b|\bstores?\b|"
     + _STOPS + _EVENTS, "uncontrolled"),
    (r"\bcontrolled\b|\bconfined\b|\blobby\b|\bfoyer\b|\bfront\s+desk\b|\breception\b|"
     r"\bback[- ]office\b|\bstaff[- ]only\b|\boffices?\b|\bpolice\s+station\b|"
     r"\bat\s+the\s+station\b|"
     r"\bcustody\b|\bjails?\b|\bprisons?\b|\bbooking\b|\bintake\b|\binterview\s+rooms?\b|"
     r"\bsecure\s+areas?\b|\bborder\s+(?:control|crossings?|checkpoints?)\b|"
     r"\bpassport\s+control\b|\bcheckpoints?\b|\bwarehouse\b|\bcourtrooms?\b|"
     r"\bclassrooms?\b|\b(?:lecture|exam|examination)\s+(?:halls?|rooms?)\b",
     "controlled"),
)

PUBLIC_ACCESS = _table(
    (r"\bnot\s+open\s+to\s+(?:the\s+)?public|\bclosed\s+to\s+(?:the\s+)?public|\bstaff[- ]only\b|"
     r"\bemployees[- ]only\b|\bback[- ]office\b|\bnon-public\b|"
     r"\bnot\s+public(?:ly\s+accessible)?\b|"
     r"\brestricted\s+areas?\b|\bprisons?\b|\bjails?\b|\bcustody\b|\bpolice\s+station\b|"
     r"\bat\s+the\s+station\b|\bbooking\b|\bintake\b|\binterview\s+rooms?\b|"
     r"\bborder\s+(?:control|crossings?|checkpoints?)\b|\bpassport\s+control\b|"
     r"\bprivate\s+(?:office|area|premises)\b|\bsecure\s+areas?\b|\bwarehouse\b|\boffices?\b|"
     r"\bclassrooms?\b|\b(?:lecture|exam|examination)\s+(?:halls?|rooms?)\b",
     "no"),
    (r"\bopen\s+to\s+(?:the\s+)?public\b|\bpublicly\s+accessible\b|\bpublic\s+(?:space|spaces|"
     r"place|places|area|areas|square|street|road|park|lobby)\b|\bin\s+public\b|\bstadiums?\b|"
     r"\bairports?\b|\b(?:train|railway|metro|subway|bus)\s+stations?\b|\bstation\s+cameras?\b|"
     r"(?<!police\s)(?<!the\s)\bstations?\b|\bcentraal\b|\bstade\b|\bstadion\b|\bestadio\b|"
     r"\barenas?\b|"
     r"\bconcerts?\b|\bfestivals?\b|\bprotests?\b|\bdemonstrations?\b|\bshopping\s+(?:centre|"
     r"center|mall|street)s?\b|\bmalls?\b|\bsupermarkets?\b|\bshops?\b|\bstores?\b|\bstreets?\b|"
     r"\bmarkets?\b|\bsquares?\b|\bparks?\b|\b(?:city|town)\s+cent(?:re|er)\b|\bon\s+patrol\b|\bpatrol\w*\b|"
     r"\bcrowds?\b|\bparades?\b|\bpublic\s+transport\b|\bin\s+the\s+wild\b|" + _STOPS + _EVENTS,
     "yes"),
)

#: Places that may or may not be open to the public: the fact stays open, named by the place.
MIXED_PLACE = re.compile(
    r"\b(?:lobby|lobbies|foyer|front\s+desk|reception|entrance\s+hall|entrance|"
    r"waiting\s+room)\b", _I)

EXCEPTION = _table(
    (r"\bno\s+(?:specific\s+)?(?:exception|emergency|specific\s+target)|\broutine\b|"
     r"\bgeneral\s+(?:crime|policing|surveillance|monitoring|security)|\bpetty\s+(?:crime|theft)|"
     r"\bshoplift\w*|\bjust\s+in\s+case\b|\bscan\w*\s+everyone\b", "none"),
    (r"\bkidnap\w*|\babduct\w*|\bmissing\s+(?:person|persons|people|child|children|girl|boy|"
     r"teen\w*|woman|man)\b|\btraffick\w*|\bsexual\s+exploitation\b|\bvictims?\s+of\b|"
     r"\b(?:find|locate|search\s+for)\s+(?:a\s+|the\s+)?(?:specific\s+)?victims?\b",
     "victim_search"),
    (r"\bterror\w*|\bimminent\s+(?:threat|danger|attack)|\bthreat\s+to\s+life\b|\bbomb\w*|"
     r"\bactive\s+shooter\b|\bthreat\s+of\s+(?:an?\s+)?attack|"
     r"\b(?:stop|prevent|foil|thwart|avert|disrupt|head\s+off)\w*\s+(?:an?\s+|the\s+)?(?:\w+\s+)?"
     r"(?:attacks?|bombings?|shootings?|massacres?|stabbings?|assaults?\s+on)|"
     r"\b(?:planned|credible|specific|expected|threatened)\s+(?:attacks?|threats?)|"
     r"\bthreats?\s+to\s+(?:life|lives|people's\s+lives)|\bhostages?\b|\bmass\s+shootings?",
     "imminent_threat"),
    (r"\b(?:murder|rape|armed\s+robbery|homicide|manslaughter)\s+suspects?\b|"
     r"\bsuspects?\s+(?:of|in|for)\s+(?:an?\s+)?(?:murder|rape|armed\s+robbery|serious|homicide|"
     r"kidnapping|terror\w*)|\bwanted\s+for\s+(?:murder|rape|armed\s+robbery|homicide)|"
     r"\bserious\s+(?:crimes?|offen[cs]es?|criminal)|\bfugitives?\b", "serious_crime_suspect"),
)

#: A suspect already in custody (arrested, booked, detained): the Face use case for identifying
#: "a suspect already apprehended". Not an Article 5(1)(h) search for a suspect at large.
CUSTODY = re.compile(
    r"\b(?:in|into)\s+(?:police\s+)?custody\b|\bunder\s+arrest\b|"
    r"\b(?:already|been|being|was|were|is|are|just|recently|newly|who\s+(?:have|has|were|was))\s+"
    r"(?:been\s+)?(?:arrested|apprehended|detained|booked|caught\s+and\s+arrested)\b|"
    r"\b(?:arrested|apprehended|detained|booked)\s+(?:suspects?|people|persons|individuals|"
    r"men|women|offenders)\b|\bsuspects?\s+(?:\w+\s+){0,2}(?:arrested|apprehended|detained|"
    r"booked)\b|\b(?:man|woman|person|people|someone|somebody|individuals?|men|women|"
    r"offenders?|youths?)\s+(?:\w+\s+){0,2}?(?:arrested|apprehended|detained|booked)\b|"
    r"\b(?:arrested|apprehended|detained|booked)\s+(?:at|in|by|on|after|earlier|yesterday|"
    r"last|this|today|overnight)\b|\barrestees?\b|\bdetainees?\b|\bat\s+(?:the\s+)?booking\b|"
    r"\bbooking\s+(?:photos?|process|desk|stage)\b|\b(?:after|following|upon|on)\s+"
    r"(?:an?\s+|the\s+|their\s+|his\s+|her\s+)?arrests?\b|\bjail[- ]intake\b|"
    r"\b(?:custody|jail|prison)\s+(?:intake|suites?|cells?)\b", _I)

AUTHORISATION = _table(
    (r"\bwithout\s+(?:a\s+|any\s+|prior\s+)?(?:warrant|authori[sz]ation|court\s+order|judge|"
     r"approval)|\bno\s+(?:warrant|authori[sz]ation|court\s+order|judicial\s+approval)\b|"
     r"\bnot\s+authori[sz]ed\b", "no"),
    (r"\b(?:judge|judicial|court|magistrate|independent\s+(?:administrative\s+)?authority)(?:'s)?\s+"
     r"(?:authori[sz]ation|approval|order|warrant|sign-off)|\bwarrants?\b|\bauthori[sz]ed\s+by\b|"
     r"\bprior\s+authori[sz]ation\b|\bcourt\s+orders?\b|\bapproved\s+by\s+(?:a\s+)?(?:judge|court)|"
     r"\bjudge\s+(?:approved|authori[sz]ed|signed)|\b(?:judge|court|magistrate)\s+(?:has\s+)?"
     r"(?:authori[sz]ed|approved|signed\s+off)", "yes"),
)

NATIONAL_LAW = _table(
    (r"\bno\s+national\s+(?:law|legislation)|\bnational\s+law\s+(?:does\s+not|doesn't)|"
     r"\bwithout\s+(?:a\s+|any\s+)?national\s+(?:law|legislation)|\bnot\s+(?:provided|allowed)\s+"
     r"(?:for\s+)?(?:by|under)\s+national\s+law|\bno\s+law\s+(?:allows|permits)", "no"),
    (r"\bnational\s+(?:law|legislation)\s+(?:is\s+)?(?:in\s+place|allows|permits|provides|"
     r"authori[sz]es|has\s+opted\s+in|opts\s+in)|\bunder\s+national\s+law\b|"
     r"\b(?:the\s+)?law\s+(?:in\s+place|allows\s+it|permits\s+it)|\blegislation\s+(?:allows|"
     r"permits|in\s+place)|\bnational\s+law\s+in\s+place", "yes"),
)

MINOR = _table(
    (r"\bnot\s+(?:a\s+)?minors?\b|\badults?\s+only\b|\bonly\s+adults\b", "no"),
    (r"\bminors?\b|\bjuveniles?\b|\bunder[- ]18s?\b|\bunder\s+the\s+age\s+of\s+18\b", "yes"),
)

CONSENT = _table(
    (r"\bwithout\s+(?:their\s+|the\s+|any\s+|people's\s+)?(?:consent|knowledge|knowing)|"
     r"\bno\s+consent\b|\bcovert\w*|\bsecret(?:ly)?\b|\bunaware\b|\bnot\s+consent\w*|"
     r"\bwithout\s+(?:telling|informing|notifying)\b|\bwithout\s+(?:her|his|their)\s+knowledge",
     "no"),
    (r"\bwith\s+(?:their\s+|the\s+|explicit\s+|informed\s+|prior\s+|written\s+)*consent\b|"
     r"\bconsent(?:ed|s|ing)?\b|\bopt(?:ed|s)?[- ]in\b|\bwho\s+(?:have\s+)?agreed\b|"
     r"\benrolled\b|\bvolunteers?\b", "yes"),
)

ACTOR_OTHER = _table(
    (r"\b(?:schools?|universit(?:y|ies)|colleges?|classrooms?|students?|pupils?|teachers?|"
     r"lecturers?|exam\s+proctor\w*|proctoring|e-?learning|edtech|kindergarten)\b", "education"),
    (r"\b(?:employers?|employees?|workers?|workforce|our\s+staff|call[- ]cent(?:er|re)\s+agents?|"
     r"at\s+work|in\s+the\s+workplace|hr\s+(?:team|department)|call[- ]cent(?:er|re)s?|"
     r"its\s+(?:agents|staff|employees|workers)|staff\s+(?:engagement|"
     r"productivity|performance|morale)|"
     r"(?:its|their|our)\s+(?:\w+\s+)?(?:pickers|packers|cashiers|drivers|couriers|nurses|"
     r"operatives|technicians|crew|crews|labourers|laborers|clerks|tellers|warehouse\s+staff|"
     r"shop\s+staff|factory\s+staff|personnel|team\s+members|waiters|waitresses|cleaners)|"
     r"during\s+(?:their\s+|the\s+|a\s+)?(?:shifts?|working\s+hours|work)|on\s+shift|"
     r"shift\s+workers?|at\s+their\s+(?:desks?|workstations?|posts?)|"
     r"(?:warehouse|factory|logistics|plant)\s+(?:operators?|owners?|managers?|workers|staff))\b",
     "employer"),
    (r"\b(?:public|state|state-run|state-owned|nhs|municipal|county|university)\s+"
     r"(?:hospitals?|clinics?|health\s+(?:services?|trusts?|boards?))\b|\bnhs\b",
     "government_non_le"),
    (r"(?<!in\s)(?<!at\s)(?<!of\s)(?<!across\s)\b(?:a|the|our|one)\s+(?:\w+\s+)?(?:city|town)\b"
     r"(?!\s+(?:cent(?:re|er)|hall|square|streets?|parks?|'s))|"
     r"\b(?:city\s+councils?|councils?|municipalit(?:y|ies)|municipal|ministr(?:y|ies)|"
     r"government\s+(?:department|agency|office)|public\s+(?:body|authority|administration)|"
     r"local\s+authority|town\s+hall|tax\s+(?:office|authority|agency)|social\s+services|"
     r"benefits\s+agency|public\s+sector|civil\s+service|"
     r"(?<!azure\s)(?<!azure\s\s)governments?(?!\s+cloud)|regional\s+(?:authorit\w*|councils?)|"
     r"state\s+(?:agency|agencies|administration)|parliament|town\s+councils?|county\s+councils?|"
     r"mayor(?:'s)?\s+office|city\s+hall)\b", "government_non_le"),
    (r"\b(?:compan(?:y|ies)|business(?:es)?|retailers?|shop\s+owners?|store\s+owners?|"
     r"supermarket\s+chain|banks?|casinos?|start-?ups?|landlords?|hotels?|gyms?|venue\s+operators?|"
     r"stadium\s+operators?|private\s+security|security\s+firm|airline|employer|we\s+are\s+a\s+"
     r"(?:shop|store|firm|company|startup)|our\s+(?:shop|store|firm|company|app|platform|customers)|"
     r"(?:a|an|our|my)\s+(?:shop|store|retail\w*|restaurant|bar|nightclub|pharmacy)|retail\s+chains?|"
     r"chain\s+of\s+(?:shops|stores|gyms|supermarkets|hotels)|"
     r"firms?|insurers?|insurance\s+(?:compan\w+|firms?|providers?)|lenders?|"
     r"(?:credit|loan|mortgage)\s+(?:providers?|compan\w+|brokers?|bureaus?)|brokers?|"
     r"fintechs?|retail(?:ers|er)|hotel\s+groups?|hotel\s+chains?|(?:venue|stadium|casino|"
     r"transport|rail|bus|airport|mall|hotel|retail|store|shop|gym|theme\s+park|parking|"
     r"telecom|mobile|network|platform|warehouse|logistics)\s+operators?|"
     r"security\s+guards?|bouncers?|recruit(?:ers?|ment\s+(?:agency|agencies|firms?))|"
     r"dating\s+apps?|e-?commerce|online\s+(?:shops?|stores?|retailers?)|marketplaces?|"
     r"estate\s+agen(?:ts?|cy|cies)|property\s+managers?|car\s+rental|rental\s+compan\w+|"
     r"manufacturers?|carmakers?|broadcasters?|publishers?|newspapers?|media\s+compan\w+|"
     r"private\s+(?:clinic|hospital|school|investigators?|detectives?|compan\w+|firms?)|"
     r"hospitals?|clinics?|care\s+homes?|nursing\s+homes?|medical\s+(?:practices?|cent(?:re|er)s?)|"
     r"gp\s+(?:practices?|surgery|surgeries)|dental\s+practices?|pharmac(?:y|ies))\b",
     "private"),
)

#: "an integrator building it for the NYPD": the clauses say "by or for".
ACTING_FOR = re.compile(
    r"\b(?:for\s+(?:the\s+|a\s+)?|on\s+behalf\s+of\s+(?:the\s+|a\s+)?|contract\w*\s+(?:with|for)\s+"
    r"(?:the\s+|a\s+)?|integrator|contractor|vendor|supplier|consultanc\w*|acting\s+for)", _I)

#: Words that make an "officer" something other than a police officer.
NOT_POLICE_OFFICER = re.compile(
    r"\b(?:protection|compliance|security|chief|executive|information|privacy|technology|"
    r"financial|operating|medical|probation|welfare|safety|loan|press)\s+officers?\b|"
    r"\bprivate\s+(?:investigators?|detectives?|eyes?)\b", _I)

#: Patrolling is police work: with no other user named, the user is law enforcement.
PATROL = re.compile(
    r"\bon\s+(?:foot\s+|night\s+|street\s+)?patrols?\b|\bpatrol(?:s|ling|led)\b|"
    r"\bpatrol\s+(?:officers?|cars?|units?|vehicles?|duty|shifts?)\b", _I)

AGENCY_WORD = re.compile(r"\b(?:agency|agencies|authority|authorities|public\s+body)\b", _I)

POLICIES = _table(
    (r"\b(?:code\s+of\s+conduct|coc|azure?[\s-]*open[\s-]*ai|aoai|enterprise\s+ai\s+services|"
     r"generative\s+ai\s+services)\b", "azure-openai-coc"),
    (r"\b(?:azure\s+ai\s+face|azure\s+face|face\s+api|face\s+service|video\s+indexer|"
     r"limited\s+access)\b", "azure-ai-face"),
    (r"\b(?:ai\s+act|article\s+5|art\.?\s*5|2024/1689|eu\s+ai\s+regulation|artificial\s+"
     r"intelligence\s+act)\b", "eu-ai-act"),
)

INFORMATIONAL_STRONG = re.compile(
    r"^\W*(?:(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:summari[sz]e|explain|describe|outline|translate|"
    r"list|define|quote|paraphrase|give\s+(?:me\s+)?(?:an?\s+)?(?:overview|summary)|tell\s+me\s+"
    r"(?:about|what))|what\s+(?:does|do|did)\s+.{0,80}\b(?:say|said|state|cover|mean|require|"
    r"prohibit|ban|forbid|allow)|what\s+changed|what(?:'s|\s+is|\s+are|\s+was|\s+were)\s+"
    r"(?:new|the\s+(?:rules?|clauses?|definition|difference|exceptions?|fines?|penalt\w*|"
    r"conditions?|timeline|approved|recommended|alternative|official)|limited\s+access|"
    r"article\s+5|the\s+(?:eu\s+)?ai\s+act|the\s+code\s+of\s+conduct)|"
    r"which\s+(?:clause|section|article|rules?)|when\s+(?:does|did|do|will)\b|"
    r"how\s+(?:does|do|did)\s+.{0,60}\b(?:define|treat|handle|regulate|work|apply|cover))|"
    r"\b(?:renamed|still\s+called|new\s+name)\b|\bwhat\s+(?:is|are)\s+the\s+(?:approved|"
    r"recommended|alternative|official)\b|"
    r"^\W*(?:does|do|did|would|will)\s+(?:the\s+|microsoft's\s+|microsoft\s+|its\s+|their\s+|"
    r"this\s+|that\s+)?(?:[\w'’-]+\s+){0,5}(?:clauses?|code(?:\s+of\s+conduct)?|polic(?:y|ies)|"
    r"ai\s+act|article\s+\d+\w*|act|rules?|sections?|terms|ban|prohibitions?|restrictions?|"
    r"regulation|bullets?|wording)\s+(?:\w+\s+){0,1}(?:cover|covers|apply\s+to|applies\s+to|"
    r"include|mention|extend\s+to|define|name|list|reach|bind|count)\b|"
    r"\bhow\s+(?:big|large|high|much|severe|steep|hefty)\s+(?:\w+\s+){0,4}(?:fines?|penalt\w*|"
    r"sanctions?)|\b(?:fines?|penalt\w*|sanctions?)\s+(?:\w+\s+){0,2}(?:be|are|is|reach|go\s+up\s+"
    r"to)\s+(?:how\s+)?(?:big|large|high|much)|\b(?:maximum|max|top|highest|largest|biggest)\s+"
    r"(?:possible\s+)?(?:fines?|penalt\w*|sanctions?)\b", _I)

INFORMATIONAL_WEAK = re.compile(
    r"\b(?:what\s+changed|summari[sz]e|summary\s+of|what\s+does\s+.{0,60}\bsay|"
    r"difference\s+between|what\s+counts\s+as|definition\s+of|defin\w*)\b|"
    r"^\W*(?:what|which|who|how|why|when)\b", _I)

ASSESS = re.compile(
    r"^\W*(?:can|may|could|should|might|is|are|am|do|does)\b(?!\s+(?:you|u)\b)|"
    r"\b(?:can|may|could|should|might)\s+(?:[\w'-]+\s+){0,4}(?:use|deploy|run|build|apply|employ|"
    r"adopt|rely)\b|"
    r"\b(?:can|may|could|should|would|might)\s+(?:we|i|they|our|my|a|an|the|this|it|he|she|"
    r"police|officers|cops|[a-z]+\s+police)\b(?!\s+(?:you|summari|explain))|"
    r"\bis\s+it\s+(?:ok|okay|allowed|permitted|legal|lawful|fine|possible|compliant|prohibited|"
    r"banned|against)|\b(?:are|is)\s+(?:we|they|police|officers|\w+)\s+(?:allowed|permitted|"
    r"banned|prohibited)|\bam\s+i\s+allowed|\bwhat\s+(?:about|if)\b|\bhow\s+about\b|\binstead\b|\band\s+(?:for|if|with|in)\b|"
    r"\bwe\s+(?:want|plan|intend|would\s+like)\s+to\b|\bplanning\s+to\b|"
    r"\bany\s+(?:problems?|issues?|concerns?|risks?)\b|\b(?:allowed|permitted|prohibited|"
    r"banned|legal|lawful|compliant|forbidden)\b", _I)

OUT_OF_SCOPE = re.compile(
    r"\b(?:weather|poems?|jokes?|recipes?|pricing|prices?|priced|costs?|costing|how\s+much\s+"
    r"(?:does|do|is|are|will|would|should)|per\s+(?:month|year|hour|day|user|seat|call|request|"
    r"1k|1,?000|million)|monthly\s+(?:fee|cost|bill|price|charge)|cheap\w*|expensive|discounts?|"
    r"free\s+tier|free\s+trial|credits?|carbonara|pasta|pizza|"
    r"python|javascript|typescript|java|c\+\+|c#|golang|rust|sql|regex|bash|powershell|"
    r"excel|code\s+snippets?|compil\w+|debug\w*|stack\s*traces?|syntax\s+errors?|"
    r"for\s+loops?|unit\s+tests?|sort\s+a\s+list|reverse\s+a\s+(?:list|string)|"
    r"rate\s+limits?|api\s+keys?|sdk|install\w*|terraform|bicep|docker|kubernetes|"
    r"how\s+(?:do|can|should)\s+i\s+(?:set\s+up|configure|deploy|connect|call)|stock\s+"
    r"(?:price|market)|football|sports?\s+scores?|capital\s+of|who\s+won|horoscope|lyrics|"
    r"virtual\s+machines?|vms?|subscription|billing|invoice|quota|latency|uptime|sla|rain|snow|"
    r"forecast|temperature|banana|bread|cook\w*|tokens?|"
    r"gpus?|cpus?|tpus?|hardware|chips?|nvidia|h100s?|a100s?|data\s*cent(?:er|re)s?|servers?|"
    r"infrastructure|which\s+(?:azure\s+)?regions?|context\s+(?:window|length)|parameters|"
    r"model\s+size|throughput|availability\s+zones?|run\s+on|runs\s+on|hosted\s+on)\b|"
    r"^\W*(?:please\s+)?(?:translate|write|compose|rewrite|proofread|paraphrase|generate|"
    r"tell\s+me\s+a|give\s+me\s+a\s+(?:joke|poem|recipe|story)|sing|spell|calculate|convert)\b",
    _I)

#: Words that ask what is permitted: such a question stays in scope whatever else it says.
PERMISSION_WORDS = re.compile(
    r"\b(?:allowed|permitted|permissible|prohibited|banned|forbidden|legal|lawful|illegal|"
    r"unlawful|compliant|compliance|against\s+the\s+(?:rules|terms|code|law)|violat\w*|breach\w*|"
    r"terms\s+of\s+(?:use|service)|restrict\w*)\b", _I)

#: Names of the indexed policies themselves (not just the services they govern).
POLICY_WORDS = re.compile(
    r"\b(?:code\s+of\s+conduct|ai\s+act|article\s+5|limited\s+access|2024/1689|"
    r"facial\s+recognition|face\s+recognition|biometric\w*)\b", _I)

#: Words that place a question inside the indexed policies' subject matter.
DOMAIN = re.compile(
    r"\b(?:faces?|facial|biometric\w*|cameras?|cctv|bodycams?|dashcams?|footage|video|"
    r"police|sheriffs?|officers?|law\s+enforcement|surveil\w*|recogni\w*|identif\w*|verif\w*|"
    r"emotion\w*|categori[sz]\w*|scrap\w*|social\s+scor\w*|code\s+of\s+conduct|ai\s+act|"
    r"article\s+5|limited\s+access|face\s+api|prohibit\w*|banned?|allowed|permitted|"
    r"transcri\w*|reports?|fbi|dea|ice|cbp|nypd|lapd|watch\s?lists?|suspects?|agency|"
    r"engagement|drones?|policy|policies|rules?|clauses?|real[- ]time|gpt|azure\s*open\s*ai|"
    r"openai|microsoft|compliance|comply|legal|lawful|use\s+this|use\s+it)\b", _I)
