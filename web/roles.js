// roles.js — what each role is for (docs: /work/shared/DESIGN.md §2) and
// which portal sections it may open. The server is the authority on access;
// this table only decides what the navigation offers.

/** Sections that exist now, in navigation order. */
export const SECTIONS = [
  { id: 'home', label: 'Home', roles: ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor'] },
  { id: 'review', label: 'Review', roles: ['admin', 'reviewer'] },
  { id: 'rights', label: 'Rights', roles: ['admin', 'reviewer', 'rightholder', 'auditor'] },
  { id: 'profile', label: 'Protection profile', roles: ['rightholder'] },
  { id: 'agents', label: 'Agents', roles: ['rightholder'] },
  { id: 'alliance', label: 'Alliance', roles: ['admin', 'reviewer', 'rightholder', 'auditor'] },
  { id: 'listings', label: 'Listings', roles: ['admin', 'reviewer', 'rightholder', 'seller'] },
  { id: 'notices', label: 'Notices', roles: ['admin', 'reviewer', 'rightholder', 'seller', 'auditor'] },
  { id: 'inbox', label: 'Inbox', roles: ['rightholder', 'seller'] },
  { id: 'detections', label: 'Detections', roles: ['admin', 'reviewer', 'rightholder', 'auditor'] },
  { id: 'enforcement', label: 'Enforcement', roles: ['admin', 'reviewer', 'seller', 'auditor'] },
  { id: 'cases', label: 'Cases', roles: ['admin', 'reviewer', 'officer', 'rightholder', 'auditor'] },
  { id: 'ledger', label: 'Ledger', roles: ['admin', 'reviewer', 'rightholder', 'auditor'] },
  { id: 'orgs', label: 'Organisations', roles: ['admin', 'reviewer', 'auditor'] },
  { id: 'users', label: 'Users', roles: ['admin'] },
  { id: 'tokens', label: 'API tokens', roles: ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor'] },
  { id: 'audit', label: 'Audit log', roles: ['admin', 'auditor'], wide: true },
  { id: 'reports', label: 'Reports', roles: ['admin', 'reviewer', 'rightholder', 'seller', 'officer', 'auditor'] },
];

/** Short descriptions of the sections, for the home page. */
export const SECTION_BLURBS = {
  review: 'Decide right-holder applications, rights and agent authorisations.',
  rights: 'Registered trademarks, copyrights and design patents, with their evidence.',
  profile: 'Brand terms, reference prices, authorised sellers and official images.',
  agents: 'Authorise agents (e.g. a law firm) to act for your organisation.',
  alliance: 'The anti-counterfeiting alliance: members and shared seller reports.',
  listings: 'Search marketplace listings; sellers manage their own.',
  notices: 'Takedown notices, counter-notices and decisions.',
  inbox: 'Messages about your notices and listings.',
  detections: 'Listings the proactive scan flagged, with every signal explained; right holders confirm or dismiss those on their brands.',
  enforcement: 'Strikes, penalty levels and seller networks; sellers see their own strikes and when they expire.',
  cases: 'Law-enforcement referrals with their signed evidence and outcomes, and right holders’ litigation files with damages.',
  ledger: 'The signed original-work ledger: register works, download receipts.',
  orgs: 'Browse the organisations registered on the platform.',
  users: 'See every user account and add new ones.',
  tokens: 'Create and revoke personal API tokens for scripts.',
  audit: 'Read the hash-chained audit log and verify that it is intact.',
  reports: 'Numbers for a period with charts, the public transparency report and the DSA statements-of-reasons export.',
};

export const ROLES = {
  admin: {
    label: 'Administrator',
    title: 'Administrator home',
    summary: 'You run the platform: organisations, user accounts, policies and keys. You can see and do everything.',
    duties: [
      'Create organisations and user accounts, and assign roles.',
      'Manage platform policies and signing keys.',
      'Watch the audit log and check that its hash chain is intact.',
    ],
    soon: [],
  },
  reviewer: {
    label: 'Reviewer',
    title: 'Reviewer home',
    summary: 'You are the platform’s trust-and-safety reviewer: you check rights, decide notices and counter-notices, act on detections and refer cases.',
    duties: [
      'Verify the rights that right holders register.',
      'Decide takedown notices and counter-notices.',
      'Act on infringement detections.',
      'Refer serious cases to law-enforcement agencies.',
    ],
    soon: [],
  },
  rightholder: {
    label: 'Right holder',
    title: 'Right holder home',
    summary: 'You protect your organisation’s intellectual property: you manage its rights and protection profile, and file and follow its notices.',
    duties: [
      'Register your rights and keep your protection profile current.',
      'File takedown notices against infringing listings and follow them.',
      'See your own litigation files.',
    ],
    soon: [],
  },
  seller: {
    label: 'Seller',
    title: 'Seller home',
    summary: 'You sell on the marketplace: you see notices filed against your own listings, can answer them with counter-notices, and see your strikes.',
    duties: [
      'See notices filed against your listings.',
      'File counter-notices when a takedown is mistaken.',
      'Follow your strikes.',
    ],
    soon: [],
  },
  officer: {
    label: 'Officer',
    title: 'Officer home',
    summary: 'You work for a law-enforcement agency: you see the referrals routed to your agency and update your cases.',
    duties: [
      'See referrals routed to your agency, by jurisdiction and sharing level.',
      'Update the cases you work on.',
    ],
    soon: [],
  },
  auditor: {
    label: 'Auditor',
    title: 'Auditor home',
    summary: 'You oversee the platform with read-only access: the audit log and transparency reports.',
    duties: [
      'Read the append-only audit log and verify its hash chain.',
      'Read transparency reports.',
    ],
    soon: [],
  },
};

/** Sections the role may open. Unknown roles get Home and API tokens. */
export function sectionsFor(role) {
  const known = Object.prototype.hasOwnProperty.call(ROLES, role);
  return SECTIONS.filter((s) => (known ? s.roles.includes(role) : s.id === 'home' || s.id === 'tokens'));
}

export function roleInfo(role) {
  return ROLES[role] || {
    label: role || 'Unknown role',
    title: 'Home',
    summary: 'Your role has no portal sections yet.',
    duties: [],
    soon: [],
  };
}

/** Which roles fit an org kind (docs/api.md, User object). */
export const ROLES_BY_ORG_KIND = {
  platform: ['admin', 'reviewer', 'auditor'],
  rightholder: ['rightholder'],
  seller: ['seller'],
  agency: ['officer'],
};
