// What a resident who reported a present danger is told first, in their language: call 911 (and the
// utility's emergency line, from configuration), what to do meanwhile, and that email is not watched
// like a phone line. Urgent hazards are told they were flagged for same-day attention.
import type { Language } from '../classify/types.ts';
import type { Hazard, Urgency } from '../classify/urgency.ts';
import type { EmergencyLine } from '../config/index.ts';
import { hazardLabel } from './labels.ts';

export interface SafetyNotice {
  urgency: Exclude<Urgency, 'routine'>;
  /** Goes right after the tracking number in the subject, where a phone's notification shows it. */
  subjectPrefix: string;
  heading: string;
  lines: string[];
}

type Words = Readonly<Record<Language, string>>;

const PREFIX: Readonly<Record<'emergency' | 'urgent', Words>> = {
  emergency: { en: 'Call 911 now', es: 'Llame al 911 ahora', pt: 'Ligue para o 911 agora' },
  urgent: { en: 'Flagged for same-day attention', es: 'Marcada para atención hoy mismo', pt: 'Marcada para atendimento hoje' },
};

const HEADING: Readonly<Record<'emergency' | 'urgent', (label: string) => Words>> = {
  emergency: (l) => ({
    en: `${l}: call 911 now`,
    es: `${l}: llame al 911 ahora`,
    pt: `${l}: ligue para o 911 agora`,
  }),
  urgent: (l) => ({
    en: `${l}: flagged for same-day attention`,
    es: `${l}: marcada para atención hoy mismo`,
    pt: `${l}: marcada para atendimento ainda hoje`,
  }),
};

// What to do until help comes; the first line is the one that matters most.
const ADVICE: Readonly<Record<Hazard, readonly Words[]>> = {
  downed_wire: [
    { en: 'Stay at least 30 feet (10 meters) away from the wire and anything it touches, and keep others and pets away. Treat every downed wire as live.', es: 'Manténgase a por lo menos 10 metros del cable y de todo lo que toque, y mantenga alejadas a otras personas y a las mascotas. Trate todo cable caído como si tuviera corriente.', pt: 'Fique a pelo menos 10 metros do fio e de tudo o que ele toca, e mantenha outras pessoas e animais longe. Trate todo fio caído como se estivesse energizado.' },
    { en: 'Never try to move it, even with a stick. If it is on your car, stay inside unless the car is on fire.', es: 'Nunca intente moverlo, ni siquiera con un palo. Si está sobre su carro, quédese adentro salvo que el carro se esté quemando.', pt: 'Nunca tente mexer nele, nem com um pedaço de pau. Se ele estiver sobre o seu carro, fique dentro, a não ser que o carro esteja pegando fogo.' },
  ],
  gas_leak: [
    { en: 'Leave the building or the area now, and leave doors open behind you.', es: 'Salga del edificio o del lugar ahora y deje las puertas abiertas al salir.', pt: 'Saia do prédio ou do local agora e deixe as portas abertas ao sair.' },
    { en: 'Do not switch lights on or off, use a phone, start a car or light anything near the smell. Call from a safe distance.', es: 'No prenda ni apague luces, no use el teléfono, no encienda un carro ni nada cerca del olor. Llame desde un lugar seguro y alejado.', pt: 'Não acenda nem apague luzes, não use o telefone, não ligue o carro nem acenda nada perto do cheiro. Ligue de um lugar seguro e afastado.' },
  ],
  fire: [
    { en: 'Get out, stay out, and keep others away. Call 911 from outside.', es: 'Salga, no vuelva a entrar y mantenga alejadas a otras personas. Llame al 911 desde afuera.', pt: 'Saia, não volte e mantenha outras pessoas afastadas. Ligue para o 911 do lado de fora.' },
  ],
  person_in_danger: [
    { en: 'Call 911 now: they can send help in minutes. Stay with the person if it is safe for you.', es: 'Llame al 911 ahora: pueden enviar ayuda en minutos. Quédese con la persona si es seguro para usted.', pt: 'Ligue para o 911 agora: eles podem mandar ajuda em minutos. Fique com a pessoa se for seguro para você.' },
  ],
  carbon_monoxide: [
    { en: 'Get everyone, pets too, out into fresh air now, and call 911 from outside.', es: 'Saque a todos, también a las mascotas, al aire libre ahora y llame al 911 desde afuera.', pt: 'Leve todos, inclusive os animais, para o ar livre agora e ligue para o 911 do lado de fora.' },
    { en: 'Do not go back in until the fire department says it is safe.', es: 'No vuelva a entrar hasta que los bomberos digan que es seguro.', pt: 'Não volte para dentro até os bombeiros dizerem que é seguro.' },
  ],
  water_main: [
    { en: 'Keep away from the water and the edge of the road: the ground under it can give way.', es: 'Aléjese del agua y del borde de la calle: el suelo debajo puede hundirse.', pt: 'Fique longe da água e da beira da rua: o chão embaixo pode ceder.' },
  ],
  road_blocked: [],
  signal_dark: [
    { en: 'Until it is fixed, treat the intersection as an all-way stop.', es: 'Mientras no se repare, trate el cruce como un alto en todas las direcciones.', pt: 'Até o conserto, trate o cruzamento como uma parada obrigatória em todas as direções.' },
  ],
  open_hole: [],
  missing_stop_sign: [],
  ice_hazard: [],
};

const CALL_LINE: Words = {
  en: 'Then call the {name} emergency line at {phone}, answered day and night.',
  es: 'Luego llame a la línea de emergencias de {name} al {phone}, que atiende día y noche.',
  pt: 'Depois ligue para a linha de emergência da {name} no {phone}, que atende dia e noite.',
};

const NOT_EMERGENCY_CHANNEL: Words = {
  en: 'Email is not an emergency channel: do not wait for an answer to this message. We have passed your report to our staff at once.',
  es: 'El correo electrónico no es un canal de emergencias: no espere respuesta a este mensaje. Pasamos su reporte a nuestro personal de inmediato.',
  pt: 'E-mail não é um canal de emergência: não espere resposta a esta mensagem. Passamos o seu relato para a nossa equipe na mesma hora.',
};

const SAME_DAY: Words = {
  en: 'We have flagged your report for same-day attention and passed it to our staff. If anyone is hurt or in immediate danger, call 911.',
  es: 'Marcamos su reporte para atención hoy mismo y lo pasamos a nuestro personal. Si alguien está herido o en peligro inmediato, llame al 911.',
  pt: 'Marcamos o seu relato para atendimento ainda hoje e o passamos para a nossa equipe. Se alguém estiver ferido ou em perigo imediato, ligue para o 911.',
};

/** The safety notice for a request's hazard in a language; null for a routine request. */
export function safetyNotice(
  danger: { urgency: Urgency; hazard: Hazard | null },
  language: Language,
  lines: Readonly<Partial<Record<Hazard, EmergencyLine>>>,
): SafetyNotice | null {
  if (danger.urgency === 'routine' || danger.hazard === null) return null;
  const { urgency, hazard } = danger;
  const label = hazardLabel(hazard, language);
  const advice = ADVICE[hazard].map((w) => w[language]);
  const line = lines[hazard];
  const call = line ? [CALL_LINE[language].replace('{name}', line.name).replace('{phone}', line.phone)] : [];
  // The most important advice first (stay away, get out), then the utility, then the rest.
  const body = urgency === 'emergency'
    ? [...advice.slice(0, 1), ...call, ...advice.slice(1), NOT_EMERGENCY_CHANNEL[language]]
    : [SAME_DAY[language], ...advice];
  return { urgency, subjectPrefix: PREFIX[urgency][language], heading: HEADING[urgency](label)[language], lines: body };
}
