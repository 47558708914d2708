/** The demo sign-ins. The password of every demo account is `demo-password`. */
export const demoPassword = 'demo-password';

/** One administrator per organisation (they manage its colleagues); Ben Hughes is a member. */
export const demoStaff = [
  {
    email: 'amara.okafor@oakfield-primary.example',
    fullName: 'Amara Okafor',
    organisation: 'Oakfield Primary School',
    role: 'admin',
  },
  {
    email: 'ben.hughes@oakfield-primary.example',
    fullName: 'Ben Hughes',
    organisation: 'Oakfield Primary School',
    role: 'member',
  },
  {
    email: 'claire.davies@oakfield-trust.example',
    fullName: 'Claire Davies',
    organisation: 'Oakfield Academy Trust',
    role: 'admin',
  },
  { email: 'david.price@riverside.example', fullName: 'David Price', organisation: 'Riverside Academy', role: 'admin' },
  {
    email: 'eve.morgan@stmarys.example',
    fullName: 'Eve Morgan',
    organisation: "St Mary's Primary School",
    role: 'admin',
  },
] as const;

export const demoJobseekers = [
  { email: 'draft@jobseeker.example', fullName: 'Priya Shah', year3Status: 'draft' },
  { email: 'submitted@jobseeker.example', fullName: 'Sam Taylor', year3Status: 'submitted' },
  { email: 'shortlisted@jobseeker.example', fullName: 'Jordan Lee', year3Status: 'shortlisted' },
  { email: 'interviewing@jobseeker.example', fullName: 'Olivia Brown', year3Status: 'interviewing' },
  { email: 'offered@jobseeker.example', fullName: 'Mohammed Khan', year3Status: 'offered' },
  { email: 'declined@jobseeker.example', fullName: 'Grace Wilson', year3Status: 'declined' },
  { email: 'not-progressing@jobseeker.example', fullName: 'Ethan Clarke', year3Status: 'not_progressing' },
  { email: 'withdrawn@jobseeker.example', fullName: 'Chloe Evans', year3Status: 'withdrawn' },
  { email: 'alex.morgan@jobseeker.example', fullName: 'Alex Morgan', year3Status: null },
  { email: 'ruth.bennett@jobseeker.example', fullName: 'Ruth Bennett', year3Status: null },
  { email: 'tom.fletcher@jobseeker.example', fullName: 'Tom Fletcher', year3Status: null },
] as const;

export const demoAccounts: { email: string; description: string }[] = [
  ...demoStaff.map((s) => ({
    email: s.email,
    description: `Hiring staff${s.role === 'admin' ? ' (administrator)' : ''}: ${s.fullName}, ${s.organisation}`,
  })),
  ...demoJobseekers.map((j) => ({
    email: j.email,
    description: j.year3Status
      ? `Jobseeker: ${j.fullName}, Year 3 class teacher application ${j.year3Status === 'draft' ? 'in draft' : `(${j.year3Status.replace('_', ' ')})`}`
      : `Jobseeker: ${j.fullName}, applications to other schools`,
  })),
];
