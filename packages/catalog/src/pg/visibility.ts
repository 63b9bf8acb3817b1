/**
 * Ownership rules as SQL, with the actor as two parameters ($admin boolean, $user integer): admins see
 * everything; others see projects they own, and tasks they own or whose project they own. Jobs, labels,
 * data and annotations follow their task or project.
 */
export const projectVisible = (p: string, admin: string, user: string): string =>
  `(${admin}::boolean OR ${p}.owner_id = ${user}::integer)`;

export const taskVisible = (t: string, admin: string, user: string): string =>
  `(${admin}::boolean OR ${t}.owner_id = ${user}::integer OR EXISTS (
     SELECT 1 FROM projects vp WHERE vp.id = ${t}.project_id AND vp.owner_id = ${user}::integer))`;
