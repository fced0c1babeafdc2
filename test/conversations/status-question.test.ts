import { describe, expect, it } from 'vitest';
import { isStatusQuestion } from '../../src/requests/status-question.ts';

const REPLY_SUBJECT = 'Re: Your request DB-100A7 was received';

describe('isStatusQuestion', () => {
  it.each([
    ['What is the status of DB-100A7?', 'Pothole'],
    ["what's the status on this?", REPLY_SUBJECT],
    ['Any update?', REPLY_SUBJECT],
    ['any updates', 'Streetlight'],
    ['Any news on my request?', 'Tree limb'],
    ['Has this been fixed yet?', REPLY_SUBJECT],
    ['Hi, is there an update on my pothole report? Thanks', 'Pothole'],
    [
      'Hi, I reported a pothole two weeks ago at 12 Main St and nobody has come. What is the status of my request?\nThanks,\nMaria',
      'Pothole on Main',
    ],
    ['Just following up on my request from last week.', 'Follow up'],
    ['Could you please let me know the status?', REPLY_SUBJECT],
    ["I'd like an update on the streetlight I reported.", 'Streetlight'],
    ['When will this be fixed?', REPLY_SUBJECT],
    ['When will it be fixed?\n\nThanks', 'Pothole'],
    ['Was the tree removed already?', 'Tree'],
    ['Status?', REPLY_SUBJECT],
    ['Update?', REPLY_SUBJECT],
    ['¿Novedades?', REPLY_SUBJECT],
    ['', 'Status of my request'],
    ['', 'Any update on DB-100A7?'],
    ['Where does my request stand?', 'Pothole'],
    ["What's happening with my complaint about the blighted house?", 'Blight'],
    ['¿Cuál es el estado de mi solicitud DB-100A7?', 'Bache'],
    ['Alguna novedad?', REPLY_SUBJECT],
    ['alguna novedad', REPLY_SUBJECT],
    ['¿Hay alguna actualización?', REPLY_SUBJECT],
    ['Hola, ¿ya lo arreglaron? Gracias', REPLY_SUBJECT],
    ['Quisiera saber el estado de mi reporte del bache.', 'Bache'],
    ['¿Qué pasó con mi reporte?', 'Bache'],
    ['Qual é o status do meu pedido?', 'Buraco'],
    ['Alguma novidade?', REPLY_SUBJECT],
    ['Tem atualização?', REPLY_SUBJECT],
    ['Já foi consertado?', REPLY_SUBJECT],
    ['Gostaria de saber o andamento da minha solicitação.', 'Buraco na rua'],
    ['Olá, como está o meu chamado? Obrigada', 'Buraco'],
  ])('"%s" (subject "%s") is a status question', (text, subject) => {
    expect(isStatusQuestion(text, subject)).toBe(true);
  });

  it.each([
    ["The status of the pothole is worse, it's now 2 feet wide.", REPLY_SUBJECT],
    ['Update: the pothole on Main St got bigger and a car was damaged.', REPLY_SUBJECT],
    ['I have an update on the tree: it fell on a car this morning.', 'Tree'],
    ['There is a big pothole in front of 12 Main Street. When will it be fixed?', 'Pothole'],
    ['Streetlight out on Elm St. Has anyone reported this?', 'Streetlight'],
    ['When will Main Street be paved?', 'Paving'],
    ['What are the transfer station hours?', 'Transfer station'],
    ['Status of the streetlight on Elm: still broken after the storm.', 'Streetlight'],
    ['No updates needed, just wanted to say thanks for filling the pothole!', REPLY_SUBJECT],
    [
      "I don't have any news about the owner, but the house is abandoned and the yard is full of junk.",
      'Blight on Oak Ave',
    ],
    ['The crew updated the signal timing but the light is still stuck on red.', 'Traffic light'],
    ['Here is a photo of the pothole.', REPLY_SUBJECT],
    ['It is fixed now, thank you!', REPLY_SUBJECT],
    ['Hay un bache enorme en la calle Main. ¿Cuándo lo van a arreglar?', 'Bache'],
    ['El estado de la calle es terrible, hay muchos baches.', 'Calle Main'],
    ['Hay basura en la esquina de Main y Elm desde el lunes.', 'Basura'],
    ['Ya no funciona el semáforo de Main St.', 'Semáforo'],
    ['A situação da rua está péssima, tem um buraco enorme na frente da minha casa.', 'Buraco'],
    ['O poste de luz está apagado há uma semana na Rua Elm.', 'Poste'],
    ['', 'Pothole status: worse than ever'],
    ['', ''],
    ['Status', 'Pothole'],
    ['Update', 'Pothole'],
  ])('"%s" (subject "%s") is not a status question', (text, subject) => {
    expect(isStatusQuestion(text, subject)).toBe(false);
  });
});
