// The CDK app the CLI runs (cdk.json "app"): cdk synth, cdk deploy sample-service-dev ...
import { buildSampleApp } from '../src/app.js';

buildSampleApp().app.synth();
