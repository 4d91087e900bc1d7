/**
 * The region link: where the plugin takes its region (its --region,
 * AWS_REGION, AWS_DEFAULT_REGION, the profile; else, but for the AWS CLI,
 * us-east-1 as aws-iam-authenticator falls back to), and its partition.
 */
import type { PartitionId } from '../../authenticator/rules.js';
import { partitionOf } from '../../vocabulary.js';
import type { PluginInput } from '../plugin.js';
import { FALLBACK_REGION, profileSettings, readAwsFiles, selectedProfile } from '../token-rules.js';
import { broken, errHint, errText, holds, line, type Checked } from './link.js';

export interface Where {
  readonly region: string;
  readonly partition: PartitionId;
}

export function checkRegion(plugin: PluginInput, env: NodeJS.ProcessEnv): Checked<Where> {
  const profileName = selectedProfile(plugin.profile, env).name;
  let region: string | undefined;
  let regionFrom: string;
  if (plugin.region) [region, regionFrom] = [plugin.region, 'the plugin\'s --region'];
  else if (env.AWS_REGION) [region, regionFrom] = [env.AWS_REGION, 'AWS_REGION'];
  else if (env.AWS_DEFAULT_REGION) [region, regionFrom] = [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'];
  else {
    try {
      region = profileSettings(readAwsFiles(env), profileName)?.region;
    } catch (error) {
      return broken(line('region', 'fail', errText(error), errHint(error)));
    }
    regionFrom = `profile ${profileName}`;
  }
  if (!region && plugin.kind !== 'aws-cli') {
    // As the token (and aws-iam-authenticator): us-east-1, whose STS host every cluster of the aws partition accepts.
    [region, regionFrom] = [FALLBACK_REGION, 'no region set: the plugin\'s fallback, as aws-iam-authenticator\'s'];
  }
  if (!region) {
    return broken(line('region', 'fail', 'no AWS region: not in the plugin\'s args, AWS_REGION, AWS_DEFAULT_REGION nor the profile', 'add --region REGION to the exec args (bascule kubeconfig does), or set AWS_REGION, or "region =" in the profile'));
  }
  let partition: PartitionId;
  try {
    partition = partitionOf(region).name as PartitionId;
  } catch (error) {
    return broken(line('region', 'fail', errText(error), errHint(error)));
  }
  return holds(line('region', 'ok', `${region} (from ${regionFrom}; partition ${partition})`), { region, partition });
}
