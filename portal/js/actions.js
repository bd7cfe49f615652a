// The action table of api.md ("Acting on a report"): who may take which
// action from which state.  The console offers only these; the server
// still decides (403 forbidden / 409 invalid_transition are shown as-is).

export const STATES = ['submitted', 'needs_info', 'verified', 'received', 'coordinating', 'dispatched',
  'in_progress', 'awaiting_approval', 'under_review', 'resolved', 'rejected', 'cancelled',
  'monitoring', 'escalated'];

export const OPEN_STATES = ['submitted', 'needs_info', 'verified', 'received', 'coordinating',
  'dispatched', 'in_progress', 'awaiting_approval', 'under_review'];

const ANY = null;

// action -> [roles, from states (null = any), fields]
export const ACTIONS = {
  verify: [['ioc'], ['submitted'], []],
  request_info: [['ioc'], ['submitted', 'verified', 'received'], ['message']],
  reject: [['ioc'], ['submitted', 'verified', 'needs_info', 'received'], ['reason', 'message']],
  receive: [['ioc'], ['verified', 'submitted'], ['content', 'category', 'urgent', 'sensitive']],
  dispatch: [['ioc'], ['received', 'escalated'], ['agencies']],
  coordinate: [['ioc'], ['received'], ['coordinator']],
  identify: [['coordinator'], ['coordinating'], ['agencies', 'message']],
  accept: [['handler'], ['dispatched'], []],
  return: [['handler'], ['dispatched', 'in_progress'], ['kind', 'message', 'suggested_agency']],
  extend: [['handler'], ['in_progress'], ['days', 'until', 'reason']],
  // an extension asked beyond pa_extend_max waits for the IOC (README)
  approve_extension: [['ioc'], ['in_progress'], ['agency', 'message']],
  reject_extension: [['ioc'], ['in_progress'], ['agency', 'message']],
  resolve: [['handler'], ['in_progress'], ['summary', 'salutation', 'media']],
  approve: [['leader'], ['awaiting_approval'], ['summary', 'message']],
  send_back: [['leader'], ['awaiting_approval'], ['message']],
  confirm: [['coordinator'], ['under_review'], ['agree']],
  publish: [['ioc'], ['under_review'], ['secret']],
  review_return: [['ioc'], ['under_review', 'resolved'], ['message']],
  hide: [['ioc'], ANY, ['reason']],
  unhide: [['ioc'], ANY, ['reason']],
  forward_monitoring: [['ioc'], ['received'], ['agency', 'message']],
  escalate: [['ioc'], OPEN_STATES, ['message']],
  reply: [['handler'], ['resolved'], ['comment_id', 'text']],
};

// actions that need no form: one click
export const ONE_CLICK = ['verify', 'accept'];

export const REJECT_REASONS = ['no_media', 'unclear_media', 'edited_media', 'supplement_timeout',
  'identity_unverified', 'identity_inaccurate', 'duplicate', 'duplicate_in_progress',
  'unclear_or_test', 'other'];

function hasStep(r, step) {
  return Array.isArray(r.deadlines) && r.deadlines.some((d) => d.step === step);
}

// a step still to be taken (no "met" yet)
export function openStep(r, step) {
  return Array.isArray(r.deadlines) && r.deadlines.some((d) => d.step === step && d.met === undefined);
}

// the actions this role may take on this report now
export function allowedActions(role, r) {
  const state = r.status || r.state;
  const out = [];
  for (const [name, [roles, from]] of Object.entries(ACTIONS)) {
    if (!roles.includes(role)) continue;
    if (from && !from.includes(state)) continue;
    if (name === 'hide' && r.hidden) continue;
    if (name === 'unhide' && !r.hidden) continue;
    // receive from "submitted" only when the profile has no separate
    // verification step (no verify deadline on the report)
    if (name === 'receive' && state === 'submitted' && hasStep(r, 'verify')) continue;
    if (name === 'verify' && state === 'submitted' && !hasStep(r, 'verify') && hasStep(r, 'receive')) continue;
    if ((name === 'approve_extension' || name === 'reject_extension')
        && !(r.deadlines || []).some((d) => d.extension_requested)) continue;
    // coordinator flow: the coordinator confirms first (the server's 409)
    if (name === 'publish' && openStep(r, 'confirm')) continue;
    if (name === 'reply' && Array.isArray(r.comments) && !r.comments.some((c) => !c.reply && !(c.replies || []).length)) continue;
    out.push(name);
  }
  return out;
}
