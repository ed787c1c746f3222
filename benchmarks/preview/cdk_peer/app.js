// The peer of the offline preview benchmark (benchmarks/README.md, "Offline preview against AWS CDK").
//
// `node app.js <services> <outdir>` synthesises, offline and without credentials, what a CDK user would
// write for the same services as the preview's synthetic stack: per service a Lambda function, a REST API
// with three routes, a DynamoDB table, cdk-monitoring-constructs' facade with the same alarm kinds at
// Warning and Critical, one composite health alarm, and a dashboard; per stack the two alarm topics and an
// overview dashboard with every service's health. CloudFormation refuses more than 500 resources in a
// stack, so the services are split into stacks of 10 (about 390 resources each), as a CDK user would.
"use strict";

const path = require("path");
const cdk = require("aws-cdk-lib");
const apigateway = require("aws-cdk-lib/aws-apigateway");
const cloudwatch = require("aws-cdk-lib/aws-cloudwatch");
const dynamodb = require("aws-cdk-lib/aws-dynamodb");
const lambda = require("aws-cdk-lib/aws-lambda");
const logs = require("aws-cdk-lib/aws-logs");
const sns = require("aws-cdk-lib/aws-sns");
const { Construct } = require("constructs");
const cmc = require("cdk-monitoring-constructs");

const SERVICES_PER_STACK = 10;
const { GREATER_THAN_OR_EQUAL_TO_THRESHOLD: AT_LEAST } = cloudwatch.ComparisonOperator;

// The dev profile's thresholds (components/observability/thresholds.py), as Warning / Critical pairs.
const severities = (warning, critical) => ({ Warning: warning, Critical: critical });

class Service extends Construct {
  constructor(scope, id, topics) {
    super(scope, id);
    const prefix = `${cdk.Stack.of(this).stackName}-${id}`;

    const table = new dynamodb.Table(this, "Table", {
      tableName: `${prefix}-table`,
      partitionKey: { name: "id", type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const functionLogs = new logs.LogGroup(this, "FunctionLogs", {
      logGroupName: `/platform/${prefix}/api`,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const fn = new lambda.Function(this, "Function", {
      functionName: `${prefix}-api`,
      runtime: lambda.Runtime.PYTHON_3_12,
      architecture: lambda.Architecture.ARM_64,
      handler: "app.handler",
      code: lambda.Code.fromAsset(path.join(__dirname, "handler")),
      memorySize: 256,
      timeout: cdk.Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: functionLogs,
      environment: { TABLE_NAME: table.tableName, SERVICE_NAME: id, LOG_LEVEL: "DEBUG" },
    });
    table.grantReadWriteData(fn);

    const accessLogs = new logs.LogGroup(this, "AccessLogs", {
      logGroupName: `/platform/${prefix}/api-access`,
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    const api = new apigateway.RestApi(this, "Api", {
      restApiName: `${prefix}-api`,
      cloudWatchRole: false,
      deployOptions: {
        stageName: "v1",
        tracingEnabled: true,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const integration = new apigateway.LambdaIntegration(fn);
    const items = api.root.addResource("items");
    items.addMethod("POST", integration);
    items.addMethod("GET", integration);
    items.addResource("{item_id}").addMethod("GET", integration);

    const facade = new cmc.MonitoringFacade(this, "Monitoring", {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: true,
        disambiguatorAction: {
          Warning: new cmc.SnsAlarmActionStrategy({ onAlarmTopic: topics.warning }),
          Critical: new cmc.SnsAlarmActionStrategy({ onAlarmTopic: topics.critical }),
        },
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      },
      dashboardFactory: new cmc.DefaultDashboardFactory(this, "Dashboards", {
        dashboardNamePrefix: prefix,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
        renderingPreference: cmc.DashboardRenderingPreference.INTERACTIVE_ONLY,
      }),
    });
    const throttles = new cloudwatch.MathExpression({
      expression: "reads + writes",
      label: "Throttle events",
      usingMetrics: {
        reads: table.metric("ReadThrottleEvents", { statistic: "Sum" }),
        writes: table.metric("WriteThrottleEvents", { statistic: "Sum" }),
      },
    });
    facade
      .addLargeHeader(id)
      .monitorApiGateway({
        api,
        apiStage: "v1",
        add4XXErrorRateAlarm: { Warning: { maxErrorRate: 0.1 } },
        add5XXFaultRateAlarm: severities({ maxErrorRate: 0.01 }, { maxErrorRate: 0.05 }),
        addLatencyP99Alarm: severities({ maxLatency: cdk.Duration.seconds(1) }, { maxLatency: cdk.Duration.seconds(3) }),
      })
      .monitorLambdaFunction({
        lambdaFunction: fn,
        addFaultRateAlarm: severities({ maxErrorRate: 0.01 }, { maxErrorRate: 0.05 }),
        addThrottlesCountAlarm: severities({ maxErrorCount: 1 }, { maxErrorCount: 10 }),
        addLatencyP99Alarm: severities({ maxLatency: cdk.Duration.seconds(7) }, { maxLatency: cdk.Duration.seconds(9) }),
      })
      .monitorDynamoTable({
        table,
        addSystemErrorCountAlarm: severities({ maxErrorCount: 1 }, { maxErrorCount: 5 }),
      })
      .monitorCustom({
        alarmFriendlyName: `${id}-table-throttles`,
        metricGroups: [{
          title: "Throttle events",
          metrics: [{
            metric: throttles,
            alarmFriendlyName: "throttles",
            addAlarm: severities(
              { threshold: 1, comparisonOperator: AT_LEAST },
              { threshold: 50, comparisonOperator: AT_LEAST },
            ),
          }],
        }],
      })
      .monitorLog({
        logGroupName: functionLogs.logGroupName, alarmFriendlyName: `${id}-errors`, pattern: "ERROR", title: `${id}: recent errors`,
      });

    this.health = new cloudwatch.CompositeAlarm(this, "Health", {
      compositeAlarmName: `${prefix}-health`,
      alarmDescription: `${id}: any of its alarms`,
      alarmRule: cloudwatch.AlarmRule.anyOf(
        ...facade.createdAlarms().map((created) => cloudwatch.AlarmRule.fromAlarm(created.alarm, cloudwatch.AlarmState.ALARM)),
      ),
    });
  }
}

class ServicesStack extends cdk.Stack {
  constructor(scope, id, names) {
    super(scope, id);
    const topics = {
      warning: new sns.Topic(this, "AlarmsWarning", { topicName: `${id}-alarms-warning` }),
      critical: new sns.Topic(this, "AlarmsCritical", { topicName: `${id}-alarms-critical` }),
    };
    const services = names.map((name) => new Service(this, name, topics));
    new cloudwatch.Dashboard(this, "Overview", {
      dashboardName: `${id}-overview`,
      widgets: [[new cloudwatch.AlarmStatusWidget({
        title: "Service health",
        width: 24,
        alarms: services.map((service) => service.health),
      })]],
    });
  }
}

function main() {
  const count = Number.parseInt(process.argv[2], 10);
  const outdir = process.argv[3];
  if (!(count > 0) || !outdir) {
    throw new Error("usage: node app.js <services> <outdir>");
  }
  const app = new cdk.App({ outdir });
  const names = Array.from({ length: count }, (_, index) => `svc${String(index).padStart(3, "0")}`);
  for (let start = 0; start < count; start += SERVICES_PER_STACK) {
    new ServicesStack(app, `peer-${start / SERVICES_PER_STACK}`, names.slice(start, start + SERVICES_PER_STACK));
  }
  const assembly = app.synth();
  const resources = assembly.stacks.reduce((sum, stack) => sum + Object.keys(stack.template.Resources).length, 0);
  process.stdout.write(JSON.stringify({ stacks: assembly.stacks.length, resources }) + "\n");
}

main();
