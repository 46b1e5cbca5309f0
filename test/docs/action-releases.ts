/**
 * Releases of the third-party actions the workflows and docs pin, as checked against each action's own repository
 * (the tag's commit and the runtime its action.yml declares). A pin to a node20 release listed here fails the
 * workflow tests: GitHub removes the Node 20 runtime in September 2026. Add a release when a pin moves to it.
 */
export interface ActionRelease {
  action: string;
  version: string;
  commit: string;
  runtime: 'node20' | 'node24';
}

export const ACTION_RELEASES: ActionRelease[] = [
  // Current (issue 22's table; github/codeql-action checked the same way).
  {
    action: 'actions/checkout',
    version: 'v7.0.1',
    commit: '3d3c42e5aac5ba805825da76410c181273ba90b1',
    runtime: 'node24',
  },
  {
    action: 'aws-actions/configure-aws-credentials',
    version: 'v6.2.3',
    commit: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
    runtime: 'node24',
  },
  {
    action: 'docker/setup-buildx-action',
    version: 'v4.3.0',
    commit: '37fe631027851001ddb9b187196cc803df7f5f0e',
    runtime: 'node24',
  },
  {
    action: 'actions/setup-node',
    version: 'v7.0.0',
    commit: '820762786026740c76f36085b0efc47a31fe5020',
    runtime: 'node24',
  },
  {
    action: 'actions/github-script',
    version: 'v8.0.0',
    commit: 'ed597411d8f924073f98dfc5c65a23a2325f34cd',
    runtime: 'node24',
  },
  {
    action: 'github/codeql-action',
    version: 'v4.36.2',
    commit: '8aad20d150bbac5944a9f9d289da16a4b0d87c1e',
    runtime: 'node24',
  },
  {
    action: 'actions/upload-artifact',
    version: 'v7.0.0',
    commit: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
    runtime: 'node24',
  },
  // The node20 releases this repository pinned before.
  {
    action: 'actions/checkout',
    version: 'v4.2.2',
    commit: '11bd71901bbe5b1630ceea73d27597364c9af683',
    runtime: 'node20',
  },
  {
    action: 'aws-actions/configure-aws-credentials',
    version: 'v4.2.1',
    commit: 'b47578312673ae6fa5b5096b330d9fbac3d116df',
    runtime: 'node20',
  },
  {
    action: 'docker/setup-buildx-action',
    version: 'v3.10.0',
    commit: 'b5ca514318bd6ebac0fb2aedd5d36ec1b5c232a2',
    runtime: 'node20',
  },
  {
    action: 'actions/setup-node',
    version: 'v4.4.0',
    commit: '49933ea5288caeca8642d1e84afbd3f7d6820020',
    runtime: 'node20',
  },
  {
    action: 'actions/github-script',
    version: 'v7.0.1',
    commit: '60a0d83039c74a4aee543508d2ffcb1c3799cdea',
    runtime: 'node20',
  },
  {
    action: 'github/codeql-action',
    version: 'v3.29.5',
    commit: '51f77329afa6477de8c49fc9c7046c15b9a4e79d',
    runtime: 'node20',
  },
  {
    action: 'actions/upload-artifact',
    version: 'v4.6.2',
    commit: 'ea165f8d65b6e75b540449e92b4886f43607fa02',
    runtime: 'node20',
  },
];
