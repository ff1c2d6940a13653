// A Workflow task definition drawn as a state diagram: states left to right in the order the initial state
// reaches them, forward transitions arcing above, backward ones below, labelled with their triggers (a guarded
// one with "[guard]"). The same drawing shows a saved definition and previews one being edited.
export interface Transition {
  fromState: string;
  toState: string;
  trigger: string;
  guard?: string;
}

export interface DefinitionShape {
  id?: { scope: string; code: string };
  displayName?: string;
  states?: { name: string }[];
  initialState?: { name: string };
  transitions?: Transition[];
}

/** States in the order the initial state reaches them (breadth first), then any unreachable ones. */
export function stateOrder(states: string[], initial: string | undefined, transitions: Transition[]): string[] {
  const order = initial && states.includes(initial) ? [initial] : [];
  for (let i = 0; i < order.length; i++) {
    for (const t of transitions) if (t.fromState === order[i] && states.includes(t.toState) && !order.includes(t.toState)) order.push(t.toState);
  }
  return [...order, ...states.filter((s) => !order.includes(s))];
}

export function StateDiagram({ definition, title }: { definition: DefinitionShape; title: string }) {
  const transitions = (definition.transitions ?? []).filter((t) => t.fromState && t.toState);
  const order = stateOrder(
    (definition.states ?? []).map((s) => s.name).filter(Boolean),
    definition.initialState?.name,
    transitions,
  );
  const W = 150;
  const GAP = 50;
  const x = (name: string) => order.indexOf(name) * (W + GAP) + 10;
  const width = Math.max(1, order.length) * (W + GAP) + 20;
  const MID = 110;
  const titleId = `diagram-${title.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return (
    <svg class="diagram" viewBox={`0 0 ${width} 220`} width={width} height={220} role="img" aria-labelledby={titleId}>
      <title id={titleId}>{title}</title>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
        </marker>
      </defs>
      {transitions.map((t, i) => {
        if (!order.includes(t.fromState) || !order.includes(t.toState)) return null;
        const from = x(t.fromState) + W / 2;
        const to = x(t.toState) + W / 2;
        const forward = to >= from;
        const lift = 40 + 12 * (i % 3);
        const y = forward ? MID - 20 : MID + 20;
        const cy = forward ? y - lift : y + lift;
        const path = from === to ? `M ${from - 20} ${y} C ${from - 40} ${y - 60}, ${from + 40} ${y - 60}, ${from + 20} ${y}` : `M ${from} ${y} Q ${(from + to) / 2} ${cy} ${to} ${y}`;
        return (
          <g class="transition">
            <path d={path} fill="none" stroke="currentColor" marker-end="url(#arrow)" />
            <text x={(from + to) / 2} y={forward ? cy + lift / 2 - 4 : cy - lift / 2 + 12} text-anchor="middle" class="trigger">
              {t.trigger}
              {t.guard ? ' [guard]' : ''}
            </text>
          </g>
        );
      })}
      {order.map((name) => (
        <g class="state" data-state={name}>
          <rect x={x(name)} y={MID - 20} width={W} height={40} rx={10} class={name === definition.initialState?.name ? 'initial' : ''} />
          <text x={x(name) + W / 2} y={MID + 5} text-anchor="middle">
            {name}
          </text>
        </g>
      ))}
    </svg>
  );
}
