// Words residents and departments read in our emails, in each language we write. Codes stay English
// everywhere else (database, logs, the department's status commands); only these labels are translated.
import type { Category, Language } from '../classify/types.ts';
import type { Hazard } from '../classify/urgency.ts';
import type { Status } from '../requests/status.ts';

// Brazilian Portuguese (what most of Danbury's Portuguese speakers read) and the Spanish of the
// Americas (acera, cuadra...), not Spain's.
const CATEGORY_LABELS: Readonly<Record<Category, Readonly<Record<Language, string>>>> = {
  pothole: { en: 'Pothole', es: 'Bache', pt: 'Buraco na rua' },
  street_paving: { en: 'Street paving', es: 'Pavimentación de calles', pt: 'Pavimentação de ruas' },
  sidewalk: { en: 'Sidewalk or curb', es: 'Acera o bordillo', pt: 'Calçada ou meio-fio' },
  tree: { en: 'Tree or fallen limbs', es: 'Árbol o ramas caídas', pt: 'Árvore ou galhos caídos' },
  dead_animal: { en: 'Dead animal', es: 'Animal muerto', pt: 'Animal morto' },
  traffic_signal: { en: 'Traffic signal', es: 'Semáforo', pt: 'Semáforo' },
  streetlight: { en: 'Streetlight', es: 'Alumbrado público', pt: 'Iluminação pública' },
  road_sign: { en: 'Road sign', es: 'Señal de tránsito', pt: 'Placa de trânsito' },
  blight: { en: 'Blighted property', es: 'Propiedad abandonada o deteriorada', pt: 'Imóvel abandonado ou degradado' },
  drainage: { en: 'Drainage or flooding', es: 'Drenaje o inundación', pt: 'Drenagem ou alagamento' },
  snow_ice: { en: 'Snow and ice', es: 'Nieve y hielo', pt: 'Neve e gelo' },
  leaf_pickup: { en: 'Leaf pickup', es: 'Recolección de hojas', pt: 'Coleta de folhas' },
  street_sweeping: { en: 'Street sweeping', es: 'Barrido de calles', pt: 'Varrição de ruas' },
  trash_recycling: { en: 'Trash and recycling', es: 'Basura y reciclaje', pt: 'Lixo e reciclagem' },
  graffiti: { en: 'Graffiti', es: 'Grafiti', pt: 'Pichação' },
  info_request: { en: 'Information request', es: 'Solicitud de información', pt: 'Pedido de informação' },
  other: { en: 'Other', es: 'Otro', pt: 'Outro' },
};

// Feminine forms: the noun they qualify is "solicitud" / "solicitação".
const STATUS_LABELS: Readonly<Record<Status, Readonly<Record<Language, string>>>> = {
  received: { en: 'Received', es: 'Recibida', pt: 'Recebida' },
  needs_review: { en: 'Awaiting review by 311 staff', es: 'En revisión por el personal del 311', pt: 'Em análise pela equipe do 311' },
  routed: { en: 'Sent to the responsible department', es: 'Enviada al departamento responsable', pt: 'Encaminhada ao departamento responsável' },
  in_progress: { en: 'In progress', es: 'En curso', pt: 'Em andamento' },
  resolved: { en: 'Resolved', es: 'Resuelta', pt: 'Resolvida' },
  closed: { en: 'Closed', es: 'Cerrada', pt: 'Encerrada' },
  duplicate: { en: 'Already reported (duplicate)', es: 'Ya reportada (duplicada)', pt: 'Já registrada (duplicada)' },
  not_city: { en: 'Not handled by the city', es: 'No es competencia de la ciudad', pt: 'Não é de responsabilidade da prefeitura' },
};

export function categoryLabel(category: Category, language: Language): string {
  return CATEGORY_LABELS[category][language];
}

export function statusLabel(status: Status, language: Language): string {
  return STATUS_LABELS[status][language];
}

const HAZARD_LABELS: Readonly<Record<Hazard, Readonly<Record<Language, string>>>> = {
  downed_wire: { en: 'Downed or sparking wire', es: 'Cable caído o con chispas', pt: 'Fio caído ou soltando faíscas' },
  gas_leak: { en: 'Gas leak', es: 'Fuga de gas', pt: 'Vazamento de gás' },
  fire: { en: 'Fire', es: 'Incendio', pt: 'Incêndio' },
  person_in_danger: { en: 'Person in danger', es: 'Persona en peligro', pt: 'Pessoa em perigo' },
  carbon_monoxide: { en: 'Carbon monoxide', es: 'Monóxido de carbono', pt: 'Monóxido de carbono' },
  water_main: { en: 'Water main break', es: 'Rotura de tubería principal de agua', pt: 'Rompimento de adutora' },
  road_blocked: { en: 'Road blocked', es: 'Calle bloqueada', pt: 'Rua bloqueada' },
  signal_dark: { en: 'Traffic signal dark', es: 'Semáforo apagado', pt: 'Semáforo apagado' },
  open_hole: { en: 'Open hole, sinkhole or missing cover', es: 'Hoyo abierto, socavón o tapa faltante', pt: 'Buraco aberto, afundamento ou tampa faltando' },
  missing_stop_sign: { en: 'Missing stop sign', es: 'Señal de pare faltante', pt: 'Placa de pare faltando' },
  ice_hazard: { en: 'Dangerous ice', es: 'Hielo peligroso', pt: 'Gelo perigoso' },
};

export function hazardLabel(hazard: Hazard, language: Language): string {
  return HAZARD_LABELS[hazard][language];
}
