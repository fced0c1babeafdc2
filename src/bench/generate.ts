// Synthetic resident mail for `cityline bench`: varied enough that classification and location do real work.

const PROBLEMS = [
  'There is a huge pothole in front of {n} {street}, my tire almost blew out',
  'Streetlight is out on {street} near number {n}, very dark at night',
  'A big tree limb fell on {street} and is blocking half the road',
  'Trash was not picked up on {street} this week, bins still full',
  'Someone sprayed graffiti all over the wall at {n} {street}',
  'Catch basin on {street} is clogged and the road floods every time it rains',
  'The stop sign at {street} was knocked down last night',
  'Dead deer on the side of {street} near {n}',
  'Sidewalk in front of {n} {street} is heaved up, someone will trip',
  'When is leaf pickup on {street} this year?',
];
const STREETS = ['Main Street', 'Padanaram Road', 'Lake Avenue', 'White Street', 'Deer Hill Avenue', 'Mill Plain Road', 'Osborne Street', 'Franklin Street', 'Park Avenue', 'Clapboard Ridge Road'];

export function generateMessage(i: number, opts: { to: string; runId: string }): Buffer {
  const problem = PROBLEMS[i % PROBLEMS.length] as string;
  const street = STREETS[(i * 7) % STREETS.length] as string;
  const body = problem.replace('{street}', street).replace('{n}', String(10 + ((i * 13) % 190)));
  const lines = [
    `From: Resident ${i} <resident${i}@bench.example>`,
    `To: ${opts.to}`,
    `Subject: ${body.split(' ').slice(0, 5).join(' ')}`,
    `Message-ID: <bench-${opts.runId}-${i}@bench.example>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
    'Thanks,',
    `Resident ${i}`,
    'Sent from my iPhone',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
