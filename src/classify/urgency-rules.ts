// The rules that recognise a present danger, as data: each has a sample message it must catch
// (test/classify/urgency.test.ts checks every sample against its own rule). Patterns run on text that is
// lower-cased with accents removed ("está caído" reads "esta caido"), one sentence at a time.
//
// A rule names the hazard words AND the state that makes them dangerous now ("wire" + "down", "smell" +
// "gas"): a hazard's word alone ("gas station", "faded stop sign", "fire marshal") never matches.
import type { Hazard } from './urgency.ts';

export interface UrgencyRule {
  id: string;
  hazard: Hazard;
  /** Must match in one sentence. */
  pattern: RegExp;
  /** When given, must match in the same sentence too. */
  also?: RegExp;
  /** When it matches in the same sentence, the rule does not fire (e.g. a low battery chirp). */
  unless?: RegExp;
  sample: string;
}

// Up to five words between a thing and its state ("the wire on our street is down"), none a negation:
// "the wire is not down" must not read as "wire ... down".
const GAP = String.raw`(?:(?!(?:not|no|never|nunca|nao|nem|sin|sem)\b)(?![a-z]+n't\b)[a-z0-9']+\W+){0,5}?`;
const gap = (before: string, after: string): RegExp => new RegExp(String.raw`${before}\W+${GAP}${after}`);

const WIRE = String.raw`\b(?:wires?|lines?|cables?|power ?lines?)\b`;
const CABLE_ES = String.raw`\b(?:cables?|alambres?|lineas?|tendido)(?: (?:electric[oa]s?|de (?:luz|electricidad|alta tension)))?\b`;
const FIO_PT = String.raw`\b(?:fios?|cabos?|linhas?)(?: (?:de (?:luz|energia|eletricidade|alta tensao)|eletric[oa]s?))?\b`;

export const URGENCY_RULES: readonly UrgencyRule[] = [
  // --- downed_wire (emergency: 911 and the electric utility) ---
  { id: 'wire-down-en', hazard: 'downed_wire', pattern: gap(WIRE, String.raw`(?:down(?! the (?:street|road|block|hill|way))|fell|fallen|came down|come down|snapped|on the (?:ground|road|street|pavement|sidewalk|car|fence)|in the (?:road|street)|across (?:the|our|my)? ?(?:road|street|sidewalk|driveway)|(?:lying|laying|resting) (?:on|in|across)|hanging (?:down )?(?:to|on) the (?:ground|road|street)|touching the (?:ground|road|street|car|fence)|on fire)\b`), unless: /\b(?:painted|faded|lane|crosswalk|markings?|striping)\b|\blines on the road\b/, sample: 'Power line down across the road on Osborne Street.' },
  { id: 'wire-lying-en', hazard: 'downed_wire', pattern: /\b(?:wires?|cables?|power ?lines?)\b/, also: /\b(?:lying|laying|resting|down) (?:in|on|across) (?:the|our|my) (?:street|road|ground|sidewalk|pavement|yard|driveway)\b/, unless: /\b(?:painted|faded|lane|crosswalk|markings?|striping)\b/, sample: 'Also the cable the limb pulled off is lying in the street now.' },
  { id: 'downed-wire-en', hazard: 'downed_wire', pattern: /\b(?:downed|fallen|snapped|dangling|live) (?:power |electric(?:al)? |utility )?(?:wires?|lines?|cables?)\b/, sample: 'There is a downed power line in front of 12 Elm Street.' },
  { id: 'wire-sparks-en', hazard: 'downed_wire', pattern: /\b(?:wires?|lines?|cables?|poles?|transformers?)\b/, also: /\b(?:spark(?:s|ing|ed)?|arc(?:s|ing|ed)?|throwing sparks)\b/, unless: /\bspark ?plugs?\b/, sample: 'The wire on the pole is sparking.' },
  { id: 'pole-down-en', hazard: 'downed_wire', pattern: gap(String.raw`\b(?:utility|power|telephone|phone|electric|light) poles?`, String.raw`(?:down|fell|fallen|snapped|broken (?:in half|off)|on the ground|across)\b`), sample: 'A utility pole snapped on Main Street.' },
  { id: 'the-pole-down-en', hazard: 'downed_wire', pattern: /\b(?:the|a) poles? (?:is |are |was )?(?:now )?(?:down|snapped|broken in half|on the ground)\b/, unless: /\b(?:flag ?poles?|sign poles?|basketball)\b/, sample: 'A car hit it and the pole is down.' },
  { id: 'transformer-en', hazard: 'downed_wire', pattern: /\btransformers?\b/, also: /\b(?:blew|blown|exploded|exploding|on fire|smoking|sparking|boom)\b/, sample: 'The transformer on the pole at Spring and Main blew up and is smoking.' },
  { id: 'wire-down-es', hazard: 'downed_wire', pattern: gap(CABLE_ES, String.raw`(?:caid[oa]s?|en el (?:suelo|piso)|en la (?:calle|acera|banqueta)|tirad[oa]s? (?:en|sobre)|colgando hasta el suelo|se cayo|se cayeron|cayo|cayeron|sobre (?:el|un) (?:carro|auto|coche))\b`), sample: 'Hay un cable de luz caído en la calle Main.' },
  { id: 'wire-fell-es', hazard: 'downed_wire', pattern: /\b(?:se (?:cayo|cayeron)|cayo|cayeron) (?:un|el|unos|los) (?:cables?|alambres?|postes?)\b/, sample: 'Se cayó un cable frente a mi casa.' },
  { id: 'wire-sparks-es', hazard: 'downed_wire', pattern: /\b(?:cables?|alambres?|postes?|transformador(?:es)?)\b/, also: /\b(?:chispas?|chispea\w*|echando chispas)\b/, sample: 'El cable del poste está echando chispas.' },
  { id: 'pole-down-es', hazard: 'downed_wire', pattern: /\bposte (?:de luz )?(?:caido|se cayo|en el suelo|partido)\b/, sample: 'Hay un poste de luz caído en la esquina.' },
  { id: 'wire-down-pt', hazard: 'downed_wire', pattern: gap(FIO_PT, String.raw`(?:caid[oa]s?|no chao|na (?:rua|calcada|pista)|arrebentad[oa]s?|rompid[oa]s?|soltando faiscas?|pegando fogo|em cima do (?:carro|muro))`), sample: 'Tem um fio de luz caído na rua Liberty.' },
  { id: 'wire-fell-pt', hazard: 'downed_wire', pattern: /\bcaiu (?:um|o|uns|os) (?:fios?|postes?|cabos?)\b/, sample: 'Caiu um fio aqui na frente de casa.' },
  { id: 'wire-sparks-pt', hazard: 'downed_wire', pattern: /\b(?:fios?|cabos?|postes?|transformador(?:es)?)\b/, also: /\b(?:faiscas?|faiscando|soltando faisca)\b/, sample: 'O fio do poste está soltando faísca.' },
  { id: 'pole-down-pt', hazard: 'downed_wire', pattern: /\bposte (?:caido|caiu|no chao|quebrado ao meio)\b/, sample: 'Tem um poste caído na rua.' },

  // --- gas_leak (emergency: 911 and the gas utility) ---
  { id: 'gas-smell-en', hazard: 'gas_leak', pattern: /\b(?:smell|smells|smelled|smelling|smelt|odou?r|stench|whiff|stink\w*)\b[^.!?]{0,40}\b(?:gas|natural gas|propane|rotten eggs?|sulfur|sulphur|mercaptan)\b/, sample: 'I smell gas outside my building.' },
  { id: 'gas-leak-en', hazard: 'gas_leak', pattern: /\b(?:gas (?:smell|odou?r|leak|leaking|is leaking|escaping)|(?:leaking|escaping) (?:natural )?gas|rotten eggs? smell)\b/, sample: 'There is a gas leak near the school.' },
  { id: 'gas-hiss-en', hazard: 'gas_leak', pattern: /\b(?:gas (?:meter|line|main|pipe)s?)\b[^.!?]{0,40}\b(?:hiss\w*|leak\w*|broke|broken|hit|damaged|ruptured|cut|snapped)\b|\bhiss\w*[^.!?]{0,40}\bgas\b|\b(?:hit|broke|cut|ruptured|struck) (?:a|the) gas (?:line|main|pipe)\b/, sample: 'The gas meter is hissing loudly.' },
  { id: 'gas-smell-es', hazard: 'gas_leak', pattern: /\b(?:olor|huele|huelo|olemos|oler|olia|se siente)\b[^.!?]{0,25}\b(?:(?:a|de) )?(?:gas|huevo podrido)\b|\b(?:fuga|escape|salida) de gas\b|\bgas (?:escapando|saliendo|fugando)\b/, sample: 'Huele a gas en toda la cuadra.' },
  { id: 'gas-smell-pt', hazard: 'gas_leak', pattern: /\b(?:cheiro|cheirando|cheira|fedor)\b[^.!?]{0,25}\b(?:gas|ovo podre)\b|\b(?:vazamento|escape) de gas\b|\b(?:vazando gas|gas vazando)\b/, sample: 'Está com um cheiro forte de gás na rua.' },

  // --- fire (emergency: 911) ---
  { id: 'on-fire-en', hazard: 'fire', pattern: /\b(?:on fire|in flames|caught fire|catching fire|ablaze|engulfed|burning down|flames (?:coming|shooting|are|visible)|(?:is|are) visible flames|there'?s a fire|there is a fire|a fire (?:has )?broke(?:n)? out|fire (?:in|at|inside|behind) (?:the|a|my|our|an))\b/, sample: 'The dumpster behind the plaza is on fire.' },
  { id: 'thing-fire-en', hazard: 'fire', pattern: /\b(?:house|car|building|garage|truck|brush|woods|dumpster|apartment|kitchen|shed|barn|grass|trash|tree|electrical) fire\b/, sample: 'Brush fire next to the highway.' },
  { id: 'smoke-en', hazard: 'fire', pattern: /\b(?:smoke|flames?) (?:is |are )?(?:coming|pouring|billowing|rising|shooting|visible)\b|\b(?:lots|plenty|a lot|clouds?) of (?:black |thick )?smoke\b|\bflames (?:from|out)\b/, sample: 'Smoke is pouring out of the windows at 9 Crosby Street.' },
  { id: 'fire-es', hazard: 'fire', pattern: /\b(?:incendio|(?:se )?esta(?:n)? quemando|en llamas|se prendio fuego|prendieron fuego|fuego en|hay fuego|(?:sale|saliendo|salia) (?:mucho )?humo|humo (?:saliendo|negro))\b/, sample: 'Hay un incendio en un garaje de la calle Spring.' },
  { id: 'fire-pt', hazard: 'fire', pattern: /\b(?:incendio|pegando fogo|em chamas|fogo (?:na|no|em|num|numa)|esta(?:o)? queimando|(?:saindo|sai) (?:muita )?fumaca|fumaca (?:saindo|preta))\b/, sample: 'Tem uma casa pegando fogo na Park Ave.' },

  // --- person_in_danger (emergency: 911) ---
  { id: 'person-en', hazard: 'person_in_danger', pattern: gap(String.raw`\b(?:someone|somebody|(?:(?:a|an|the|this|that|some) )?(?:elderly |older |young |little )?(?:man|woman|person|kid|child|boy|girl|guy|lady|pedestrian|cyclist|bicyclist|biker|jogger|driver|worker|student)|people|my (?:son|daughter|kid|child|husband|wife|neighbou?r|mom|mother|dad|father|friend))`, String.raw`(?:trapped|stuck (?:in|under|inside)|passed out|not moving|fell (?:in|into|through|down into)|fallen (?:in|into)|drowning|unconscious|not breathing|isn'?t breathing|(?:isn'?t|is not|not) responding|unresponsive|bleeding|badly (?:hurt|injured)|seriously (?:hurt|injured)|injured|hit by|struck by|run over|(?:lying|laying) in the (?:road|street)|collapsed|can'?t get out|swept away|being swept)\b`), unless: /\b(?:could|might|will|would|going to|gonna) (?:get|be) (?:hurt|injured|killed|hit)\b|\b(?:before (?:someone|somebody|a kid)|someday|one day|eventually|sooner or later|last (?:week|month|year))\b/, sample: 'A child fell into an open manhole on Main Street.' },
  { id: 'hit-by-car-en', hazard: 'person_in_danger', pattern: /\b(?:get|got|been|was|just) (?:hit|struck|run over) by (?:a|the) (?:car|truck|bus|van|vehicle)\b/, unless: /\b(?:could|might|will|would|going to|gonna) (?:get|be) (?:hurt|injured|killed|hit)\b|\b(?:before (?:someone|somebody|a kid)|someday|one day|eventually|sooner or later|last (?:week|month|year))\b/, sample: 'I just saw a jogger get hit by a car at Lake Ave.' },
  { id: 'crash-injured-en', hazard: 'person_in_danger', pattern: /\b(?:crash|accident|wreck|collision)\b[^.!?]{0,50}\b(?:injured|hurt|trapped|bleeding|unconscious|people inside)\b/, sample: 'Bad crash at the corner, the driver is trapped.' },
  { id: 'person-es', hazard: 'person_in_danger', pattern: gap(String.raw`\b(?:alguien|una persona|un (?:nino|hombre|senor|peaton|ciclista|anciano|muchacho)|una (?:nina|mujer|senora|anciana|muchacha)|mi (?:hijo|hija|vecin[oa]|esposo|esposa|madre|padre))`, String.raw`(?:atrapad[oa]|se cayo (?:en|a|al|dentro)|cayo (?:en|a|al|dentro)|herid[oa]|inconsciente|no respira|sangrando|atropellad[oa]|tirad[oa] en la (?:calle|acera)|se (?:esta )?ahogando|no puede salir|desmayad[oa]|no responde)\b`), unless: /\b(?:podria|puede que|va a|algun dia|antes de que)\b/, sample: 'Un niño se cayó dentro de una zanja.' },
  { id: 'person-pt', hazard: 'person_in_danger', pattern: gap(String.raw`\b(?:alguem|uma pessoa|um (?:menino|homem|senhor|pedestre|ciclista|idoso|rapaz)|uma (?:menina|mulher|senhora|crianca|idosa|moca)|meu (?:filho|vizinho|marido|pai)|minha (?:filha|vizinha|esposa|mae))`, String.raw`(?:pres[oa]|caiu (?:no|na|num|numa|dentro)|ferid[oa]|desmaiad[oa]|inconsciente|nao (?:esta )?respira\w*|sangrando|atropelad[oa]|se afogando|caid[oa] na (?:rua|calcada)|nao consegue sair|nao responde)`), unless: /\b(?:pode(?:ria)? (?:se )?machucar|vai (?:se )?machucar|algum dia|antes que)\b/, sample: 'Uma senhora caiu no bueiro e está presa.' },

  // --- carbon_monoxide (emergency: 911, get out) ---
  { id: 'co-alarm-en', hazard: 'carbon_monoxide', pattern: /\b(?:carbon monoxide|co (?:alarm|detector|monitor)s?)\b/, also: /\b(?:going off|went off|goes off|keeps going|beeping|won'?t stop|sounding|alarming|triggered|reading|headache|dizzy|nause\w*|sick|leak\w*|poison\w*)\b/, unless: /\b(?:battery|batteries|low batt|replace|free|buy|install|where (?:can|do) i (?:get|buy))\b/, sample: 'Our carbon monoxide alarm is going off and we feel dizzy.' },
  { id: 'co-alarm-es', hazard: 'carbon_monoxide', pattern: /\bmonoxido\b/, also: /\b(?:sonando|suena|sono|se activo|pitando|pita|se disparo|intoxica\w*|maread[oa]s?|dolor de cabeza|no para)\b/, unless: /\b(?:bateria|pila|gratis|comprar|instalar|donde (?:consigo|compro))\b/, sample: 'La alarma de monóxido de carbono está sonando.' },
  { id: 'co-alarm-pt', hazard: 'carbon_monoxide', pattern: /\bmonoxido\b/, also: /\b(?:disparou|tocando|apitando|soando|apita|intoxica\w*|tont[oa]s?|dor de cabeca|nao para)\b/, unless: /\b(?:bateria|pilha|gratis|comprar|instalar|onde (?:consigo|compro))\b/, sample: 'O detector de monóxido de carbono disparou aqui em casa.' },

  // --- water_main (emergency: 911 and the water utility) ---
  { id: 'main-break-en', hazard: 'water_main', pattern: gap(String.raw`\b(?:water ?mains?|water (?:pipe|line)s?)`, String.raw`(?:break|broke|broken|burst|busted|bust|ruptured|blew|exploded|gushing|flooding)\b`), sample: 'A water main broke on Golden Hill Road.' },
  { id: 'water-gushing-en', hazard: 'water_main', pattern: /\bwater\b[^.!?]{0,20}\b(?:gushing|shooting|spraying|pouring|bubbling|geysering|spewing|erupting|fountaining|surging)\b[^.!?]{0,40}\b(?:street|road|ground|pavement|asphalt|sidewalk|manhole|pipe|hydrant|hill)\b|\blike a (?:fountain|geyser)\b/, sample: 'Water is gushing up out of the street.' },
  { id: 'hydrant-gushing-en', hazard: 'water_main', pattern: /\bhydrant\b[^.!?]{0,40}\b(?:gushing|spraying|shooting|knocked (?:over|off)|sheared|broken off|wide open)\b/, sample: 'Someone knocked over the hydrant and it is gushing water.' },
  { id: 'main-break-es', hazard: 'water_main', pattern: /\b(?:se rompio|rompio|revento|reviento|estallo) (?:una|la|el|un) (?:tuberia|tubo|cano|matriz)\b|\b(?:tuberia|tubo|matriz)\b[^.!?]{0,30}\b(?:rota|roto|se rompio|reventad[oa]|revento|estallo)\b|\bagua (?:sale|saliendo|brotando|chorreando) (?:a chorros|con fuerza|del (?:suelo|pavimento))\b/, sample: 'Se rompió una tubería en la calle Elm y sale agua a chorros.' },
  { id: 'main-break-pt', hazard: 'water_main', pattern: /\b(?:estourou|rompeu|arrebentou) (?:um|o|a|uma) (?:cano|tubulacao|adutora|encanamento)\b|\b(?:cano|tubulacao|adutora|encanamento)\b[^.!?]{0,30}\b(?:estourad[oa]|estourou|rompeu|rompid[oa]|arrebentou)\b|\bagua (?:jorrando|esguichando|brotando do (?:chao|asfalto))\b/, sample: 'Estourou um cano na rua e a água está jorrando.' },

  // --- road_blocked (urgent) ---
  { id: 'blocking-road-en', hazard: 'road_blocked', pattern: /\b(?:trees?|oak|maple|limbs?|branch(?:es)?|poles?|debris|rocks?|boulders?|mud ?slide|landslide|wall|truck|wires?)\b[^.!?]{0,50}\b(?:blocking|blocks|covering|covered|across|over)\b[^.!?]{0,15}\b(?:(?:the|both|all|our|my|entire|whole) )*(?:road|street|lanes?|intersection|way|st|rd|ave)\b/, unless: /\b(?:will be|parade|scheduled|planned|detour|next (?:week|month)|sidewalk|driveway)\b/, sample: 'A tree is blocking the whole road on Kohanza Street.' },
  { id: 'road-blocked-en', hazard: 'road_blocked', pattern: /\b(?:road|street|lanes?|st|rd|ave)\b (?:is |are )?(?:completely |totally |fully |now )?(?:blocked|impassable|closed off|cut off)\b|\brendering it impassable\b/, unless: /\b(?:will be|parade|scheduled|planned|detour|next (?:week|month)|driveway)\b/, sample: 'The road is completely blocked by a fallen tree.' },
  { id: 'cant-get-through-en', hazard: 'road_blocked', pattern: /\b(?:can'?t|cannot|unable to|no one can|nobody (?:on [a-z ]+ )?can) (?:get|drive|pass) (?:through|past|in or out|out|by)\b/, also: /\b(?:tree|limb|branch|pole|debris|road|street|fell|down|came down|mud|rocks?)\b/, unless: /\bdriveway\b/, sample: 'A tree came down and we cannot get out of our street.' },
  { id: 'blocked-es', hazard: 'road_blocked', pattern: /\b(?:bloqueando|bloquea|tapando|atravesad[oa] en|cubriendo) (?:toda )?(?:la|el) (?:calle|carretera|via|camino)\b|\b(?:calle|carretera|via|camino) (?:esta )?(?:bloquead[oa]|intransitable|tapad[oa])\b|\bno (?:se puede|pueden|podemos) pasar\b/, unless: /\b(?:desfile|estara|programad[oa]|entrada de (?:mi )?casa|cochera)\b/, sample: 'Un árbol está bloqueando la calle Hospital.' },
  { id: 'blocked-pt', hazard: 'road_blocked', pattern: /\b(?:bloqueando|bloqueia|fechando|atravessad[oa] na|cobrindo) (?:toda )?(?:a|o) (?:rua|estrada|pista|via)\b|\b(?:rua|estrada|pista|via) (?:esta )?(?:bloquead[oa]|interditad[oa]|intransitavel|fechad[oa] por)\b|\b(?:ninguem consegue|nao (?:da|tem como) (?:para |pra )?)passar\b/, unless: /\b(?:desfile|vai ser|programad[oa]|garagem|entrada da (?:minha )?casa)\b/, sample: 'Caiu uma árvore e a rua está bloqueada.' },

  // --- signal_dark (urgent) ---
  { id: 'signal-dark-en', hazard: 'signal_dark', pattern: /\b(?:traffic (?:lights?|signals?)|stop ?lights?|signals?|lights at (?:the )?(?:intersection|corner))\b[^.!?]{0,80}\b(?:out|dark|not working|(?:is|are)n'?t working|dead|off|down|blacked out|lost power|no power|without power|blank)\b/, unless: /\b(?:streetlights?|street lights?|timing|arrow lasts|too (?:short|long)|out front)\b/, sample: 'The traffic lights at North Street are dark.' },
  { id: 'signal-dark-es', hazard: 'signal_dark', pattern: /\bsemaforos?\b[^.!?]{0,80}\b(?:apagad[oa]s?|no funciona\w*|sin luz|muert[oa]s?|no prende\w*|no sirve\w*|fuera de servicio)\b/, sample: 'El semáforo de la calle White está apagado.' },
  { id: 'signal-dark-pt', hazard: 'signal_dark', pattern: /\bsemaforos?\b[^.!?]{0,80}\b(?:apagad[oa]s?|nao (?:esta )?funciona\w*|sem luz|desligad[oa]s?|nao acende\w*|fora de servico|queimad[oa]s?)\b/, sample: 'O semáforo do cruzamento está apagado.' },

  // --- open_hole (urgent) ---
  { id: 'sinkhole-en', hazard: 'open_hole', pattern: /\b(?:sink ?holes?|cave-?in|caved in|road (?:has )?collapsed|collapsed (?:road|pavement)|wash ?out|washed (?:out|away)|hole (?:has )?(?:opened|appeared))\b/, sample: 'A sinkhole opened in the middle of Balmforth Ave.' },
  { id: 'manhole-en', hazard: 'open_hole', pattern: /\b(?:manholes?|man holes?|sewer|utility|drain|storm drain|catch basin)(?: covers?| lids?)?\b[^.!?]{0,40}\b(?:missing|gone|off|open|removed|displaced|uncovered|stolen|popped (?:off|out)|not on)\b|\b(?:open|uncovered) (?:manhole|sewer|hole|pit|trench|storm drain)\b/, unless: /\b(?:clank\w*|rattl\w*|noisy|loud|clogged)\b/, sample: 'The manhole cover is missing on Main Street.' },
  { id: 'grate-en', hazard: 'open_hole', pattern: /\b(?:grates?|drain covers?)\b[^.!?]{0,40}\b(?:missing|gone|stolen|removed|off)\b|\b(?:missing|no) (?:grate|manhole cover|drain cover)\b/, unless: /\bclogged\b/, sample: 'The storm drain grate is missing at 88 West Wooster Street.' },
  { id: 'hole-es', hazard: 'open_hole', pattern: /\b(?:socavon|hundimiento|se hundio (?:la calle|el pavimento|el asfalto)|(?:alcantarilla|registro|boca de tormenta|desague)\b[^.!?]{0,60}\b(?:sin tapa|abierta|destapad[oa]|falta la tapa|robaron|no tiene tapa)|(?:falta|no hay|sin) (?:la )?(?:tapa|rejilla) de (?:la )?(?:alcantarilla|registro|desague)|rejilla\b[^.!?]{0,30}\b(?:falta|robaron|desaparecio))\b/, sample: 'Hay una alcantarilla sin tapa en la calle Main.' },
  { id: 'hole-pt', hazard: 'open_hole', pattern: /\b(?:afundamento|(?:rua|asfalto|pista) (?:cedeu|desabou|afundou)|cratera (?:se )?abriu|abriu uma cratera|(?:bueiro|boca de lobo|poco de visita)\b[^.!?]{0,60}\b(?:sem tampa|aberto|destampado|sumiu|roubaram|nao tem tampa)|(?:grade|tampa) do bueiro\b[^.!?]{0,30}\b(?:sumiu|roubaram|faltando|roubad[oa]))\b/, sample: 'O bueiro da esquina está sem tampa.' },

  // --- missing_stop_sign (urgent) ---
  { id: 'stop-sign-gone-en', hazard: 'missing_stop_sign', pattern: /\bstop signs?\b[^.!?]{0,100}\b(?:missing|gone|down(?! the (?:street|road|block|hill|way))|knocked (?:down|over|off)|fell|fallen|(?:lying|laying) (?:on|in)|on the ground|stolen|removed|taken|ripped|snapped|flattened|run over|not there|isn'?t there)\b/, unless: /\b(?:faded|install\w*|new stop sign|would like|need a stop sign)\b/, sample: 'The stop sign at Clapboard Ridge was knocked down.' },
  { id: 'missing-stop-sign-en', hazard: 'missing_stop_sign', pattern: /\b(?:missing|stolen|knocked[- ]down|fallen|downed) stop signs?\b|\b(?:took|stole|knocked|hit|ran over|flattened|removed)\b[^.!?]{0,25}\bstop signs?\b/, sample: 'Someone stole the stop sign on Moss Ave.' },
  { id: 'stop-sign-es', hazard: 'missing_stop_sign', pattern: /\b(?:senal|letrero|rotulo) de (?:pare|alto|stop)\b[^.!?]{0,40}\b(?:falta|desaparecio|se cayo|caid[oa]|tirad[oa]|en el suelo|robaron|tumbaron|derribad[oa]|ya no esta|no esta)\b|\b(?:falta|robaron|tumbaron|derribaron|se robaron|arrancaron) (?:la|el) (?:senal|letrero|rotulo) de (?:pare|alto|stop)\b/, sample: 'Se robaron la señal de pare de la esquina.' },
  { id: 'stop-sign-pt', hazard: 'missing_stop_sign', pattern: /\bplaca de (?:pare|parada obrigatoria|stop)\b[^.!?]{0,40}\b(?:sumiu|caiu|caida|derrubad[oa]|no chao|roubad[oa]|arrancad[oa]|nao esta mais|desapareceu|foi levad[oa])\b|\b(?:roubaram|derrubaram|arrancaram|levaram) a placa de (?:pare|stop|parada obrigatoria)\b/, sample: 'A placa de pare da esquina caiu e está no chão.' },

  // --- ice_hazard (urgent) ---
  { id: 'black-ice-en', hazard: 'ice_hazard', pattern: /\b(?:black ice|sheet of ice|solid ice|glare ice|glazed (?:over)?|iced over|(?:ice|skating) rink)\b/, unless: /\b(?:open|hours|skating at|park|weekend|when (?:does|do|will))\b/, sample: 'The hill is solid black ice right now.' },
  { id: 'icy-sliding-en', hazard: 'ice_hazard', pattern: /\b(?:icy|ice|iced|frozen|slick|slippery)\b/, also: /\b(?:sliding|slid|skidding|skidded|spinning out|spun out|slipping|sliding off|losing traction|can'?t (?:get up|make it up|stop)|crash\w*|off the road|into the (?:ditch|guardrail))\b/, sample: 'The road is icy and cars are sliding into the ditch.' },
  { id: 'ice-es', hazard: 'ice_hazard', pattern: /\b(?:hielo negro|capa de hielo|placa de hielo|pista de hielo|cubiert[oa] de hielo|congelad[oa]|con hielo|hielo)\b/, also: /\b(?:resbal\w*|patin\w*|derrap\w*|choc\w*|se cayo|se salen)\b/, unless: /\b(?:abierta|horario|cuando)\b/, sample: 'La calle está cubierta de hielo y los carros se resbalan.' },
  { id: 'ice-pt', hazard: 'ice_hazard', pattern: /\b(?:gelo (?:negro|preto)|camada de gelo|placa de gelo|coberta de gelo|congelad[oa]|gelo)\b/, also: /\b(?:derrap\w*|escorreg\w*|desliz\w*|bat\w*|rodopi\w*)\b/, unless: /\b(?:aberta|horario|quando)\b/, sample: 'A ladeira está coberta de gelo e os carros estão escorregando.' },
];

/** Places named after a hazard: removed before the rules run ("Fire House Road", "the gas station"). */
export const PLACE_MASKS: readonly { pattern: RegExp; sample: string }[] = [
  { pattern: /\b(?:[a-z]+ )?(?:fire ?house|fire|gas|smoke|burning|spark|flame|ice|ice pond) ?(?:[a-z]+ )?(?:road|rd|street|st|lane|ln|avenue|ave|drive|dr|way|place|pl|court|ct|hill|ridge)\b(?= |[.,;!?]|$)/g, sample: 'The potholes on Fire House Road are bad.' },
  { pattern: /\b(?:fire ?(?:house|station|hydrant|department|dept|lane|pit|works|place|marshal|chief|truck|engine|code|alarm box|drill|extinguisher|safety|inspection|wood)s?|fireworks?|fireplace|campfire|firefighters?|gas (?:station|prices?|bill|company|stove|grill|can|tank|mower|blower|powered|line (?:replacement|project|work))s?|gas-powered|boca de incendio|contra incendios|hidrante|fuegos artificiales|fogos de artificio|corpo de bombeiros|estacion de bomberos|posto de gasolina|gasolinera)\b/g, sample: 'The fire hydrant at the gas station was painted.' },
];

/** A sentence about what one would do if it ever happened, or how to report it: no present danger. */
export const HYPOTHETICAL: readonly { pattern: RegExp; sample: string }[] = [
  { pattern: /\bwhat (?:should|do|would|can|must) (?:i|we|you|one|people|residents?) do (?:if|when|in case)\b|\bwhat to do (?:if|when|in case)\b|\bin (?:case|the event) (?:of|that|there)\b|\bif (?:[a-z']+ ){0,3}ever\b|\b(?:who|what number|which number) (?:do|should|can) (?:i|we|you) call (?:if|when|in case)\b|\bhow (?:do|can|should|would) (?:i|we|you|one) (?:report|tell)\b|\b(?:hypothetically|just (?:wondering|curious)|for future reference)\b|\bif (?:i|we|you|someone|anyone) (?:ever )?(?:smell|see|find|notice|hear|come across)s?\b|\bif\b[^.!?]*\?$/, sample: 'What should I do if I ever smell gas?' },
  { pattern: /\bque (?:(?:debo|deberia|debemos|hago|hacemos|se hace)(?: hacer)?|hacer) (?:si|en caso|cuando)\b|\ben caso de (?:que )?\b|\bsi (?:alguna vez|algun dia)\b|\b(?:a quien|a que numero|que numero) (?:llamo|llamar|debo llamar|se llama)\b|\bcomo (?:reporto|reportar|informo)\b/, sample: '¿Qué debo hacer si huelo gas?' },
  { pattern: /\bo que (?:eu )?(?:devo|deve|devemos|fazer|faco|a gente (?:faz|deve fazer)) (?:fazer )?(?:se|caso|em caso|quando)\b|\bem caso de\b|\bse algum dia\b|\bcaso (?:aconteca|haja|tenha|sinta|veja)\b|\b(?:para quem|pra quem|qual numero|que numero) (?:ligar|ligo|devo ligar|ligamos)\b|\bcomo (?:reportar|informar|aviso)\b/, sample: 'O que devo fazer se sentir cheiro de gás?' },
];

/** A sentence about a danger that is over: no present danger, unless it is back ("again", "still"). */
export const RESOLVED: readonly { pattern: RegExp; sample: string }[] = [
  { pattern: /\b(?:fixed|repaired|restored|resolved|taken care of|cleaned up|cleared away|put out|is fine now|all good now|thank(?:s| you) (?:to )?(?:the|your) crews?|last (?:week|month|year|winter|spring|summer|fall|autumn)|years ago|a while ago)\b|\bhe is doing fine\b/, sample: 'The wire that came down last week was fixed, thanks.' },
  { pattern: /\b(?:arreglad[oa]s?|arreglaron|reparad[oa]s?|repararon|resuelt[oa]|ya esta bien|apagaron el (?:fuego|incendio)|el (?:ano|mes) pasado|la semana pasada|hace (?:anos|mucho))\b/, sample: 'El cable caído ya fue reparado.' },
  { pattern: /\b(?:consertad[oa]s?|consertaram|arrumad[oa]s?|arrumaram|resolvid[oa]|ja esta (?:tudo )?(?:bem|ok|certo)|apagaram o fogo|(?:no )?ano passado|(?:no )?mes passado|semana passada|(?:ha|faz) (?:anos|muito tempo))\b/, sample: 'O fio caído já foi consertado.' },
];

/** Words that say it is back or still there: they undo RESOLVED. */
export const STILL_THERE = /\b(?:again|still|since|ever since|remains?|back|otra vez|de nuevo|todavia|sigue|siguen|desde|ainda|de novo|voltou|continua|desde)\b/;

/** A negation just before a rule's words ("no smell of gas", "there isn't a wire down"). */
export const NEGATED_BEFORE = /\b(?:not|no|never|nunca|nao|nem|sin|sem|nothing|nada|[a-z]+n't)\W+(?:[a-z']+\W+)?$/;
