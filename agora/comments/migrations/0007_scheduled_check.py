from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_awaiting_verdict"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScheduledCheck",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("scheduled_at", models.DateTimeField()),
            ],
        ),
    ]
