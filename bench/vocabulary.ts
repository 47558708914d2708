/**
 * The words the generated data set is made of. Message text is built from sentences of these words (the first ones
 * are picked more often, as in real text); names, job titles and school names are combinations of the lists below.
 * Letters only, no apostrophes: the text needs no escaping, so the stored HTML is what Parley's plain-text
 * formatting makes of it (checked after loading).
 */
export const messageWords = `
the to and of a in for is on that you we your be with this are will at as have it our can please if from by would
an or about any not us let know thank thanks all some more next time school day week interview application role
teacher class team pupils children staff head deputy lesson observation visit references reference safeguarding
check form forms start date september january april contract hours salary scale pay part full permanent temporary
maternity cover support learning needs assistant leader department subject curriculum planning marking assessment
question questions answer answers morning afternoon monday tuesday wednesday thursday friday meeting meet call phone
email letter offer offered accepted decline declined shortlisted shortlist panel task presentation teaching sample
feedback experience training qualified status early career induction mentor mentoring professional development
pension leave holiday term half parents behaviour policy policies wellbeing workload flexible working location site
parking car bus train travel directions reception arrive arrival sign book booked confirm confirmed available
availability unavailable reschedule rescheduled cancel cancelled apologies sorry delighted pleased happy look forward
hearing soon regards best wishes kind dear hello good great excellent wonderful brilliant strong candidate candidates
interviewed successful unsuccessful decision outcome notify notified writing written documents document identity
passport certificate certificates degree qualifications original originals copies copy bring enclosed attached
attachment upload uploaded portal online video remote campus classroom hall library laboratory science mathematics
english history geography music art drama physical education computing languages french spanish german religious
studies primary secondary nursery reception infant junior sixth form year group groups key stage gcse level results
exam exams timetable timetables duties duty lunch break playground trip trips club clubs sport sports football netball
swimming choir orchestra governors governor trust academy local authority ofsted inspection report improvement
priorities vision values community inclusion inclusive diversity equality send senco provision intervention
interventions phonics reading writing spelling grammar number fractions algebra geometry statistics experiment
experiments practical enquiry project projects homework resources budget equipment technology laptop tablet
whiteboard training days inset twilight sessions session course courses conference network colleagues colleague
department leaders senior leadership line manager appraisal targets performance review probation period notice
resign resignation relocate relocation moving house family childcare commute distance miles minutes hour
`
  .split(/\s+/)
  .filter((word) => word !== '');

export const firstNames = `
Amara Ben Claire David Eve Sam Alex Ruth Tom Priya Mohammed Olivia Amelia Isla Ava Mia Ivy Lily Sophia Grace Freya
Harry Oliver George Noah Arthur Leo Muhammad Jack Charlie Oscar Jacob Henry Thomas Freddie Alfie Theo William Theodore
Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max Logan Ethan Teddy Benjamin Aisha Fatima Zara Hannah
Chloe Emily Jessica Sophie Ellie Poppy Rosie Evie Daisy Phoebe Matilda Imogen Ruby Florence Elsie Willow Sienna Maya
Nia Rhys Dylan Owen Gareth Sian Cerys Niamh Aoife Ciaran Siobhan Declan Fionn Kwame Chidi Ngozi Tunde Yusuf Omar Hamza
Bilal Raj Anil Deepa Kiran Sunita Wei Jun Mei Hana Yuki Kenji Lukas Anna Marta Piotr Zofia Tomasz Ines Joao Chiara
`
  .split(/\s+/)
  .filter((word) => word !== '');

export const surnames = `
Okafor Hughes Davies Price Morgan Taylor Bennett Fletcher Smith Jones Williams Brown Wilson Evans Thomas Johnson
Roberts Walker Wright Robinson Thompson White Hall Green Wood Harris Martin Jackson Clarke Lewis Clark Young Allen
King Baker Turner Hill Scott Cooper Ward Moore Parker Phillips Watson Edwards Collins Stewart Morris Murphy Cook
Rogers Morgan Bell Patel Khan Ahmed Ali Hussain Shah Begum Singh Kaur Sharma Chen Wang Li Nguyen Kowalski Nowak
Murray Campbell Kelly Doyle Byrne Ryan Walsh Brennan Quinn Reid Ross Fraser Stewart Grant Hamilton Graham Kennedy
Adeyemi Mensah Owusu Boateng Nwosu Eze Obi Silva Santos Ferreira Rossi Russo Bianchi Muller Schmidt Novak Horvat
Lindqvist Larsen Jensen Hansen Nielsen Andersen Sorensen Dubois Laurent Moreau Garcia Martinez Lopez Sanchez Perez
`
  .split(/\s+/)
  .filter((word) => word !== '');

export const jobTitles = [
  'Year 3 class teacher',
  'Year 6 class teacher',
  'Reception class teacher',
  'Teacher of mathematics',
  'Teacher of English',
  'Teacher of science',
  'Teacher of physics',
  'Teacher of chemistry',
  'Teacher of biology',
  'Teacher of history',
  'Teacher of geography',
  'Teacher of computing',
  'Teacher of music',
  'Teacher of art and design',
  'Teacher of drama',
  'Teacher of physical education',
  'Teacher of French and Spanish',
  'Teacher of religious education',
  'Special educational needs coordinator (SENCo)',
  'Head of mathematics',
  'Head of English',
  'Head of science',
  'Head of year 9',
  'Assistant headteacher',
  'Deputy headteacher',
  'Headteacher',
  'Early years practitioner',
  'Teaching assistant',
  'Higher level teaching assistant',
  'Learning support assistant',
  'School business manager',
  'Office manager',
  'Site manager',
  'Designated safeguarding lead',
  'Pastoral lead',
  'Careers adviser',
  'Librarian',
  'Science technician',
  'Exams officer',
  'Cover supervisor',
];

export const placeNames = `
Oakfield Riverside Ashford Beechwood Bramley Brookside Castleford Cedar Chapel Chestnut Clifton Coldharbour Crossways
Elmstead Fairfield Fernhill Fieldway Glebe Greenacres Hawthorn Hazelwood Highfield Hillside Holly Kingsmead Lakeside
Larkrise Linden Maple Meadowbank Millbrook Moorland Northgate Orchard Parkside Pinewood Queensway Redhill Ridgeway
Rosewood Sandford Southfield Springfield Stanmore Stoneleigh Summerhill Thornbury Trinity Valley Westfield Whitchurch
Willowbrook Windmill Woodlands Yarrow Abbeydale Barrowfield Carnforth Denholme Eastbrook Foxhill Gorsebrook Harewood
`
  .split(/\s+/)
  .filter((word) => word !== '');

export const schoolKinds = [
  'Primary School',
  'Academy',
  'High School',
  'Infant School',
  'Junior School',
  'Church of England Primary School',
  'Community College',
  'Free School',
];

/**
 * The searches the dashboard benchmark runs: names, job titles, words in messages, partial words, several words.
 * {candidate}, {surname} and {school} become a candidate's full name, another candidate's surname and a word of a
 * school's name from the measured trust's own conversations.
 */
export const benchmarkSearches = [
  '{surname}',
  '{candidate}',
  '{surname} teacher',
  'mathematics',
  'Teacher of science',
  'SENCo',
  'Year 3',
  'interview',
  'safeguarding',
  'reference',
  'references passport',
  'interview tuesday',
  'maternity cover',
  'interv',
  'mathem',
  'safegu',
  'relocat',
  '{school}',
  'phonics reading',
  'timetable docx',
];
