// The questions queue and the saved answers library.
import type { FastifyInstance } from 'fastify';
import { LANGUAGES, type Language } from '../../classify/types.ts';
import { answerDueBy } from '../../time/business-days.ts';
import { CITY_TIME_ZONE, pageContext, staffOf, type RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { pendingDepartmentReplies, questionsQueue } from '../queries/questions.ts';
import { deleteSavedAnswer, getSavedAnswer, listSavedAnswers, saveAnswer } from '../queries/saved-answers.ts';
import { questionsPage, savedAnswersPage } from '../views/questions.ts';

const QUEUE_PAGE = 200;

function isLanguage(v: string | null): v is Language {
  return v !== null && (LANGUAGES as readonly string[]).includes(v);
}

export function questionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/questions', async (request, reply) => {
    const [waiting, departmentReplies] = await Promise.all([questionsQueue(ctx.pool, QUEUE_PAGE), pendingDepartmentReplies(ctx.pool, QUEUE_PAGE)]);
    const items = waiting.map((q) => ({ ...q, dueBy: answerDueBy(q.waitingSince, ctx.config.answerBusinessDays, CITY_TIME_ZONE) }));
    return reply.type('text/html').send(questionsPage(pageContext(request, 'questions'), items, departmentReplies).value);
  });

  app.get('/answers', async (request, reply) => {
    const editId = idParam(request.query, 'edit');
    const [answers, editing] = await Promise.all([listSavedAnswers(ctx.pool), editId ? getSavedAnswer(ctx.pool, editId) : null]);
    return reply.type('text/html').send(savedAnswersPage(pageContext(request, 'answers'), answers, editing, null).value);
  });

  app.post('/answers', async (request, reply) => {
    const topic = field(request.body, 'topic', 120);
    const language = field(request.body, 'language');
    const body = field(request.body, 'body', 5000);
    if (!topic || !body || !isLanguage(language)) {
      const answers = await listSavedAnswers(ctx.pool);
      const error = !isLanguage(language) ? `Unknown language "${language ?? ''}".` : 'A saved answer needs a topic and a text.';
      return reply.code(400).type('text/html').send(savedAnswersPage(pageContext(request, 'answers'), answers, null, error).value);
    }
    await saveAnswer(ctx.pool, { id: idParam(request.body, 'id'), topic, language, body, by: staffOf(request).email });
    return reply.redirect('/answers', 303);
  });

  app.post('/answers/:id/delete', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    await deleteSavedAnswer(ctx.pool, id);
    return reply.redirect('/answers', 303);
  });
}
