import {
  KUBELET_LABEL_NAMESPACES,
  KUBELET_LABELS,
  TAINT_EFFECTS,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  isReservedLabelKey,
  labelValueProblems,
  qualifiedNameProblems,
  taintProblems,
} from '../../model/kubernetes-rules';

// The tables are Kubernetes' own test cases, ported as they stand:
// - kubernetes/apimachinery@eed236ceee2c19c2753a3d93ac0631dc20750454
//   pkg/util/validation/validation_test.go (TestIsDNS1123Label, TestIsDNS1123Subdomain,
//   TestIsQualifiedName, TestIsValidLabelValue), the same cases as
//   pkg/api/validate/content/{dns,kube}_test.go, and
//   pkg/api/validation/objectmeta_test.go (TestValidateAnnotations);
// - kubernetes/kubernetes@000f26050b9be6fb3d79fae95e06b47fc96128cd
//   pkg/apis/core/validation/validation_test.go (TestValidateNode, its taint cases);
// - kubernetes/kubernetes@008ef699a50afe9b8c52df50b6d2cfc21c4f7240
//   plugin/pkg/admission/noderestriction/admission_test.go
//   (setAllowedUpdateLabels, setForbiddenCreateLabels).

const a = (n: number): string => 'a'.repeat(n);

describe('dns1123LabelProblems', () => {
  it.each([
    ...['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b'],
    ...['0', '01', '012', '1a', '1-a', '1--a--b--2'],
    a(63),
  ])('accepts %j', (value) => {
    expect(dns1123LabelProblems(value)).toEqual([]);
  });

  it.each([
    ...['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A'],
    ...['-', 'a-', '-a', '1-', '-1'],
    ...['_', 'a_', '_a', 'a_b', '1_', '_1', '1_2'],
    ...['.', 'a.', '.a', 'a.b', '1.', '.1', '1.2'],
    ...[' ', 'a ', ' a', 'a b', '1 ', ' 1', '1 2'],
    a(64),
  ])('refuses %j', (value) => {
    expect(dns1123LabelProblems(value)).toHaveLength(1);
  });

  it('says what is allowed, in the caller’s words', () => {
    expect(dns1123LabelProblems('My_Agent', 'namespace')).toEqual([
      "'My_Agent' is not a valid namespace: a DNS-1123 label of 1 to 63 characters of lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. 'my-name')",
    ]);
  });

  it('gives the length of a value that is too long', () => {
    expect(dns1123LabelProblems(a(64))[0]).toMatch(
      /^'a{64}' \(64 characters\) is not a valid name/,
    );
  });
});

describe('dns1123SubdomainProblems', () => {
  it.each([
    ...['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b'],
    ...['0', '01', '012', '1a', '1-a', '1--a--b--2'],
    ...['a.a', 'ab.a', 'abc.a', 'a1.a', 'a-1.a', 'a--1--2--b.a'],
    ...['a.1', 'ab.1', 'abc.1', 'a1.1', 'a-1.1', 'a--1--2--b.1'],
    ...['0.a', '01.a', '012.a', '1a.a', '1-a.a', '1--a--b--2'],
    ...['0.1', '01.1', '012.1', '1a.1', '1-a.1', '1--a--b--2.1'],
    ...['a.b.c.d.e', 'aa.bb.cc.dd.ee', '1.2.3.4.5', '11.22.33.44.55'],
    a(253),
  ])('accepts %j', (value) => {
    expect(dns1123SubdomainProblems(value)).toEqual([]);
  });

  it.each([
    ...['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A'],
    ...['-', 'a-', '-a', '1-', '-1'],
    ...['_', 'a_', '_a', 'a_b', '1_', '_1', '1_2'],
    ...['.', 'a.', '.a', 'a..b', '1.', '.1', '1..2'],
    ...[' ', 'a ', ' a', 'a b', '1 ', ' 1', '1 2'],
    ...['A.a', 'aB.a', 'ab.A', 'A1.a', 'a1.A'],
    ...['A.1', 'aB.1', 'A1.1', '1A.1'],
    ...['0.A', '01.A', '012.A', '1A.a', '1a.A'],
    ...['A.B.C.D.E', 'AA.BB.CC.DD.EE', 'a.B.c.d.e', 'aa.bB.cc.dd.ee'],
    ...['a@b', 'a,b', 'a_b', 'a;b'],
    ...['a:b', 'a%b', 'a?b', 'a$b'],
    a(254),
  ])('refuses %j', (value) => {
    expect(dns1123SubdomainProblems(value)).toHaveLength(1);
  });

  it('says what is allowed', () => {
    expect(dns1123SubdomainProblems('agents..example', 'ConfigMap name')).toEqual([
      "'agents..example' is not a valid ConfigMap name: a DNS-1123 subdomain of at most 253 characters of lowercase letters, digits, '-' or '.', each dot-separated part starting and ending with a letter or digit (e.g. 'example.com')",
    ]);
  });

  it('cuts a very long value short in the message', () => {
    expect(dns1123SubdomainProblems(a(254))[0]).toMatch(
      /^'a{40}…' \(254 characters\) is not a valid name/,
    );
  });
});

describe('qualifiedNameProblems', () => {
  it.each([
    'simple',
    'now-with-dashes',
    '1-starts-with-num',
    '1234',
    'simple/simple',
    'now-with-dashes/simple',
    'now-with-dashes/now-with-dashes',
    'now.with.dots/simple',
    'now-with.dashes-and.dots/simple',
    '1-num.2-num/3-num',
    '1234/5678',
    '1.2.3.4/5678',
    'Uppercase_Is_OK_123',
    'example.com/Uppercase_Is_OK_123',
    'requests.storage-foo',
    a(63),
    `${a(253)}/${'b'.repeat(63)}`,
  ])('accepts %j', (value) => {
    expect(qualifiedNameProblems(value, 'label key')).toEqual([]);
  });

  it.each([
    'nospecialchars%^=@',
    'cantendwithadash-',
    '-cantstartwithadash-',
    'only/one/slash',
    'Example.com/abc',
    'example_com/abc',
    'example.com/',
    '/simple',
    a(64),
    `${a(254)}/abc`,
  ])('refuses %j', (value) => {
    expect(qualifiedNameProblems(value, 'label key').length).toBeGreaterThan(0);
  });

  it('says what is allowed', () => {
    expect(qualifiedNameProblems('dedicated team', 'label key')).toEqual([
      "'dedicated team' is not a valid label key: a name of at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/my-key')",
    ]);
  });

  it('names the part that is wrong, each once', () => {
    expect(qualifiedNameProblems('Example.com/-abc', 'taint key')).toEqual([
      "'Example.com/-abc' is not a valid taint key: the prefix before '/' must be a DNS subdomain of at most 253 characters of lowercase letters, digits, '-' or '.', each dot-separated part starting and ending with a letter or digit (e.g. 'example.com')",
      "'Example.com/-abc' is not a valid taint key: the name after '/' must be 1 to 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'my-key')",
    ]);
  });

  it('gives the length of a part that is too long', () => {
    expect(qualifiedNameProblems(`example.com/${a(64)}`, 'label key')).toEqual([
      expect.stringContaining("the name after '/' (64 characters) must be 1 to 63 characters"),
    ]);
    expect(qualifiedNameProblems(`${a(254)}/abc`, 'label key')).toEqual([
      expect.stringContaining("the prefix before '/' (254 characters) must be a DNS subdomain"),
    ]);
  });
});

describe('labelValueProblems', () => {
  it.each([
    'simple',
    'now-with-dashes',
    '1-starts-with-num',
    'end-with-num-1',
    '1234', // only num
    a(63), // to the limit
    '', // empty value
  ])('accepts %j', (value) => {
    expect(labelValueProblems(value)).toEqual([]);
  });

  it.each([
    'nospecialchars%^=@',
    'Tama-nui-te-rā.is.Māori.sun',
    '\\backslashes\\are\\bad',
    '-starts-with-dash',
    'ends-with-dash-',
    '.starts.with.dot',
    'ends.with.dot.',
    a(64), // over the limit
  ])('refuses %j', (value) => {
    expect(labelValueProblems(value)).toHaveLength(1);
  });

  it('says what is allowed', () => {
    expect(labelValueProblems('team a')).toEqual([
      "'team a' is not a valid label value: empty, or at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'my-value')",
    ]);
  });
});

describe('taintProblems', () => {
  it('lists the effects Kubernetes accepts', () => {
    expect(TAINT_EFFECTS).toEqual(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
  });

  it.each([
    { key: 'GPU', value: 'true', effect: 'NoSchedule' }, // TestValidateNode's valid taint
    { key: 'nvidia.com/gpu', effect: 'NoExecute' },
    { key: 'dedicated', value: '', effect: 'PreferNoSchedule' },
  ])('accepts %j', (taint) => {
    expect(taintProblems(taint)).toEqual([]);
  });

  // TestValidateNode's error cases, with the message each gives.
  it.each([
    [
      'missing-taint-key',
      { key: '', value: 'special-user-1', effect: 'NoSchedule' },
      /^'' is not a valid taint key: a name of at most 63 characters/,
    ],
    [
      'bad-taint-key',
      {
        key: 'NoUppercaseOrSpecialCharsLike=Equals',
        value: 'special-user-1',
        effect: 'NoSchedule',
      },
      /^'NoUppercaseOrSpecialCharsLike=Equals' is not a valid taint key/,
    ],
    [
      'bad-taint-value',
      { key: 'dedicated', value: 'some\\bad\\value', effect: 'NoSchedule' },
      /^'some\\bad\\value' is not a valid taint value: empty, or at most 63 characters/,
    ],
    [
      'missing-taint-effect',
      { key: 'dedicated', value: 'special-user-3', effect: '' },
      /^a taint effect is required: NoSchedule, PreferNoSchedule or NoExecute$/,
    ],
    [
      'invalid-taint-effect',
      { key: 'dedicated', value: 'special-user-3', effect: 'NoScheduleNoAdmit' },
      /^'NoScheduleNoAdmit' is not a valid taint effect: NoSchedule, PreferNoSchedule or NoExecute$/,
    ],
  ])('refuses %s', (_name, taint, message) => {
    const problems = taintProblems(taint);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every part that is wrong at once', () => {
    expect(taintProblems({ key: 'a b', value: '-x', effect: 'Never' })).toHaveLength(3);
  });
});

describe('isReservedLabelKey', () => {
  // setAllowedUpdateLabels: labels a kubelet may set on its own Node.
  it.each([
    'foo',
    'example.com/foo',
    'kubernetes.io/hostname',
    'failure-domain.beta.kubernetes.io/zone',
    'failure-domain.beta.kubernetes.io/region',
    'topology.kubernetes.io/zone',
    'topology.kubernetes.io/region',
    'beta.kubernetes.io/instance-type',
    'node.kubernetes.io/instance-type',
    'beta.kubernetes.io/os',
    'beta.kubernetes.io/arch',
    'kubernetes.io/os',
    'kubernetes.io/arch',
    'kubelet.kubernetes.io/foo',
    'foo.kubelet.kubernetes.io/foo',
    'node.kubernetes.io/foo',
    'foo.node.kubernetes.io/foo',
    ...KUBELET_LABELS,
    ...KUBELET_LABEL_NAMESPACES.flatMap((namespace) => [
      `${namespace}/foo`,
      `foo.${namespace}/foo`,
    ]),
  ])('lets a kubelet set %j', (key) => {
    expect(isReservedLabelKey(key)).toBe(false);
  });

  // setForbiddenCreateLabels: labels a kubelet may not set on its own Node.
  it.each([
    'node-restriction.kubernetes.io/foo',
    'foo.node-restriction.kubernetes.io/foo',
    'other.kubernetes.io/foo',
    'other.k8s.io/foo',
    'kubernetes.io/role',
    'node-role.kubernetes.io/worker',
    'k8s.io/foo',
  ])('reserves %j', (key) => {
    expect(isReservedLabelKey(key)).toBe(true);
  });

  it('matches whole domains only', () => {
    expect(isReservedLabelKey('notkubernetes.io/foo')).toBe(false);
    expect(isReservedLabelKey('kubernetes.io.example.com/foo')).toBe(false);
    expect(isReservedLabelKey('mynode.kubernetes.io/foo')).toBe(true);
  });
});
