/**
 * The AdmissionReview bodies the admission benchmarks send: an UPDATE of one of 500 Networks, a new
 * request uid and resourceVersion each time (so every one is a distinct change to enqueue).
 */
let seq = 0;
export const review = (): string => {
  const n = seq++;
  const obj = (rv: string) => ({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'Network',
    metadata: { name: `net-${n % 500}`, namespace: 'bench', uid: `uid-${n % 500}`, resourceVersion: rv, finalizers: ['apinet.ironcore.dev/network'] },
    spec: {},
  });
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `req-${n}`,
      kind: { group: 'networking.ironcore.dev', version: 'v1alpha1', kind: 'Network' },
      resource: { group: 'networking.ironcore.dev', version: 'v1alpha1', resource: 'networks' },
      name: `net-${n % 500}`,
      namespace: 'bench',
      operation: 'UPDATE',
      userInfo: { username: 'bench' },
      object: obj(String(n + 1)),
      oldObject: obj(String(n)),
      dryRun: false,
    },
  });
};
