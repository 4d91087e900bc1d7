import { describe, expect, it } from 'vitest';
import { stsHost } from '../../src/vocabulary.js';

describe('STS host per region', () => {
  it.each([
    ['eu-west-1', 'sts.eu-west-1.amazonaws.com'],
    ['us-east-1', 'sts.us-east-1.amazonaws.com'],
    ['ap-southeast-5', 'sts.ap-southeast-5.amazonaws.com'],
    ['il-central-1', 'sts.il-central-1.amazonaws.com'],
    ['cn-north-1', 'sts.cn-north-1.amazonaws.com.cn'],
    ['cn-northwest-1', 'sts.cn-northwest-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'sts.us-gov-west-1.amazonaws.com'],
    ['us-gov-east-1', 'sts.us-gov-east-1.amazonaws.com'],
    ['us-iso-east-1', 'sts.us-iso-east-1.c2s.ic.gov'],
    ['us-isob-east-1', 'sts.us-isob-east-1.sc2s.sgov.gov'],
    ['eu-isoe-west-1', 'sts.eu-isoe-west-1.cloud.adc-e.uk'],
    ['us-isof-south-1', 'sts.us-isof-south-1.csp.hci.ic.gov'],
    ['eusc-de-east-1', 'sts.eusc-de-east-1.amazonaws.eu'],
  ])('%s -> %s', (region, host) => expect(stsHost(region)).toBe(host));

  it.each(['', 'EU-WEST-1', 'eu-west', 'westeurope', 'eu-west-1.evil.com', 'eu-west-1/'])('refuses %j', (region) => {
    expect(() => stsHost(region)).toThrow(/is not an AWS region name/);
  });
});
